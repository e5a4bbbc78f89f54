// Which images each epoch sees, in which order and in which batches, as a pure function of (seed, epoch): a run
// resumed at epoch e draws exactly the batches an uninterrupted run would have drawn, without saving generator state.
import type { BackendName } from '../../../common/contract/system';
import type { TrainConfig } from '../../../common/contract/train';
import { mulberry32, shuffle } from '../data/rng';

/** A 32-bit seed for one purpose of one epoch, mixed so that neighbouring seeds and epochs do not correlate. */
export function streamSeed(
  seed: number,
  epoch: number,
  purpose: 'order' | 'augment' | 'test' | 'validation',
): number {
  const salts = { order: 0x1b873593, augment: 0xcc9e2d51, test: 0x27d4eb2f, validation: 0x165667b1 };
  const salt = salts[purpose];
  let h = Math.imul(seed ^ salt, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * The training set split into the images trained on and a validation split held out of training (OpenOOD keeps one
 * for CIFAR): a seeded random valFraction of the set, fixed for the whole run, so a resumed run, feature extraction
 * and the OOD sweep all see the same split. Both lists are sorted indices into the training set.
 */
export function trainValSplit(
  c: Pick<TrainConfig, 'seed' | 'valFraction'>,
  n: number,
): { train: Uint32Array; val: Uint32Array } {
  const nVal = Math.min(n - 1, Math.round(n * (c.valFraction ?? 0)));
  if (!(nVal > 0)) return { train: Uint32Array.from({ length: n }, (_, i) => i), val: new Uint32Array(0) };
  const perm = shuffle(n, mulberry32(streamSeed(c.seed, 0, 'validation')));
  return { train: perm.slice(nVal).sort(), val: perm.slice(0, nVal).sort() };
}

/**
 * Training indices of a 0-based epoch: a fresh permutation of the images trained on (`pool`, indices into the
 * training set; all n when there is no validation split), cut to samplesPerEpoch when set.
 */
export function epochIndices(
  c: Pick<TrainConfig, 'seed' | 'samplesPerEpoch'>,
  pool: Uint32Array,
  epoch: number,
): Uint32Array {
  const n = pool.length;
  const order = shuffle(n, mulberry32(streamSeed(c.seed, epoch, 'order')));
  for (let i = 0; i < n; i++) order[i] = pool[order[i]];
  return c.samplesPerEpoch !== undefined && c.samplesPerEpoch < n
    ? order.subarray(0, c.samplesPerEpoch)
    : order;
}

/** Optimiser steps per epoch over n images. The last partial batch is dropped, so every step sees batchSize images. */
export function stepsPerEpoch(c: Pick<TrainConfig, 'samplesPerEpoch' | 'batchSize'>, n: number): number {
  const images = Math.min(n, c.samplesPerEpoch ?? n);
  return Math.max(1, Math.floor(images / c.batchSize));
}

/** The test images evaluated after every epoch: the same fixed subset for the whole run, or all of them. */
export function testIndices(c: Pick<TrainConfig, 'seed' | 'testSamples'>, n: number): Uint32Array {
  if (c.testSamples === undefined || c.testSamples >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  return shuffle(n, mulberry32(streamSeed(c.seed, 0, 'test')))
    .subarray(0, c.testSamples)
    .sort();
}

/**
 * A micro-batch for configs that leave it unset but will not fit the backend's memory in one piece: wasm's heap is
 * 4 GiB, which a width-64 net at batch 128 overflows (measured by the engine). Undefined when none is needed.
 */
export function suggestedMicroBatch(
  c: Pick<TrainConfig, 'width' | 'batchSize' | 'microBatch'>,
  backend: BackendName,
): number | undefined {
  if (c.microBatch !== undefined || backend !== 'wasm' || c.width < 32 || c.batchSize <= 32) return undefined;
  return 32;
}
