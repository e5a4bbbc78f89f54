/**
 * Batch norm's variance in one SIMD pass (no full-size x - mean), and its backward pass in two SIMD passes over the activations on the wasm backend (assembly/winograd.ts
 * bnGradSums, bnGradApply), where the closed form in model/layers.ts takes seven full-size tfjs ops (two sums,
 * three broadcast multiplies, two adds): per channel sum(dy) and sum(dy x) in one pass, then dx = a dy + b x + c.
 * At widths 8-16 batch norm's element-wise ops were a third of a training step (bench/train-profile.ts).
 * Other backends, channel counts that are not a multiple of 4, or OODLAB_FUSED_BN=0 keep the tfjs ops.
 * Sums are float32, blocked per 64 rows and per thread like the Sum kernel (kernels.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { byteOffset, type HeapBackend, reduceAcrossThreads, rowsCols } from './ops';
import { simdKernels } from './simd';

const SUMS = 'OodlabBnGradSums';
const SQUARES = 'OodlabBnCentredSquares';
const APPLY = 'OodlabBnGradApply';

const sums: KernelFunc = (args) => {
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const b = args.backend as unknown as HeapBackend;
  const [rows, cols] = rowsCols(x);
  const out = b.makeOutput([2, cols], 'float32');
  // Each thread's partial: sum(dy) and sum(dy x), then their block sums (4 cols floats).
  reduceAcrossThreads(
    b,
    simdKernels()!,
    'bnGradSums',
    rows,
    4 * cols,
    2 * cols,
    (partial) => [byteOffset(b, dy), byteOffset(b, x), cols, partial],
    2 * rows * cols * 4,
    out,
  );
  return out;
};

const apply: KernelFunc = (args) => {
  const { dy, x, coef } = args.inputs as { dy: TensorInfo; x: TensorInfo; coef: TensorInfo };
  const b = args.backend as unknown as HeapBackend;
  const [rows, cols] = rowsCols(x);
  const out = b.makeOutput(x.shape, 'float32');
  simdKernels()!.split(
    'bnGradApply',
    rows,
    1,
    () => [byteOffset(b, dy), byteOffset(b, x), cols, byteOffset(b, coef), byteOffset(b, out)],
    3 * rows * cols * 4,
  );
  return out;
};

const squares: KernelFunc = (args) => {
  const { x, mean } = args.inputs as { x: TensorInfo; mean: TensorInfo };
  const b = args.backend as unknown as HeapBackend;
  const [rows, cols] = rowsCols(x);
  const out = b.makeOutput([cols], 'float32');
  // Each thread's partial: the sums, then their block sums (2 cols floats).
  reduceAcrossThreads(
    b,
    simdKernels()!,
    'centredSquareSums',
    rows,
    2 * cols,
    cols,
    (partial) => [byteOffset(b, x), cols, byteOffset(b, mean), partial],
    rows * cols * 4,
    out,
  );
  return out;
};

/** Registers the kernels on the wasm backend (once). */
export function registerWasmBnKernels(): void {
  if (!tf.getKernel(SQUARES, 'wasm'))
    tf.registerKernel({ kernelName: SQUARES, backendName: 'wasm', kernelFunc: squares });
  if (!tf.getKernel(SUMS, 'wasm'))
    tf.registerKernel({ kernelName: SUMS, backendName: 'wasm', kernelFunc: sums });
  if (!tf.getKernel(APPLY, 'wasm'))
    tf.registerKernel({ kernelName: APPLY, backendName: 'wasm', kernelFunc: apply });
}

/** Whether the fused backward pass runs for activations of this shape on the current backend. */
export function fusedBnGradApplies(x: tf.Tensor): boolean {
  return (
    process.env.OODLAB_FUSED_BN !== '0' &&
    tf.getBackend() === 'wasm' &&
    simdKernels() !== null &&
    x.dtype === 'float32' &&
    x.shape[x.rank - 1] % 4 === 0 &&
    tf.getKernel(SUMS, 'wasm') !== undefined
  );
}

/** sum over batch and space of (x - mean)^2 per channel, without the full-size difference. */
export function centredSquaresFused(x: tf.Tensor, mean: tf.Tensor1D): tf.Tensor1D {
  return tf.engine().runKernel(SQUARES, { x, mean }) as tf.Tensor1D;
}

/** [sum(dy), sum(dy x)] per channel (the last axis), each a 1-d tensor. */
export function bnGradSumsFused(dy: tf.Tensor, x: tf.Tensor): [tf.Tensor1D, tf.Tensor1D] {
  const s = tf.engine().runKernel(SUMS, { dy, x }) as tf.Tensor2D;
  const [a, b] = tf.unstack(s) as [tf.Tensor1D, tf.Tensor1D];
  s.dispose();
  return [a, b];
}

/** a dy + b x + c, with a, b, c one value per channel. */
export function bnGradApplyFused(
  dy: tf.Tensor,
  x: tf.Tensor,
  a: tf.Tensor1D,
  b: tf.Tensor1D,
  c: tf.Tensor1D,
): tf.Tensor {
  const coef = tf.stack([a, b, c]);
  const out = tf.engine().runKernel(APPLY, { dy, x, coef }) as tf.Tensor;
  coef.dispose();
  return out;
}
