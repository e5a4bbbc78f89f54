/**
 * Seeded initial values, as torchvision's ResNet initialises them: Kaiming-normal (fan_out, ReLU gain) for
 * convolutions, BN gamma 1 / beta 0, running mean 0 / var 1, and PyTorch's default Linear init
 * (uniform +-1/sqrt(fan_in) for weight and bias). Same seed, same numbers, on every backend.
 */
import { gaussian, mulberry32 } from '../data/rng';
import type { TensorSpec } from './spec';

/** featureDim: the classifier's input size (8 x width), the fan-in of both linear.weight and linear.bias. */
export function initialValues(spec: TensorSpec, rng: () => number, featureDim: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (spec.role) {
    case 'conv': {
      const [kh, kw, , outC] = spec.shape;
      const std = Math.sqrt(2 / (kh * kw * outC));
      for (let i = 0; i < size; i++) out[i] = gaussian(rng) * std;
      return out;
    }
    case 'gamma':
    case 'runningVar':
      return out.fill(1);
    case 'beta':
    case 'runningMean':
      return out;
    case 'fcWeight':
    case 'fcBias': {
      const bound = 1 / Math.sqrt(featureDim);
      for (let i = 0; i < size; i++) out[i] = (rng() * 2 - 1) * bound;
      return out;
    }
  }
}

/** One generator per tensor, derived from the seed and the tensor's index, so values do not depend on order of use. */
export function tensorRng(seed: number, index: number): () => number {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}
