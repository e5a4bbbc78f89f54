/**
 * Batch norm's variance in one SIMD pass (no full-size x - mean), its output (with the ReLU that follows it, when
 * one does) in one more, and its backward pass (with that ReLU's gradient) in two SIMD passes over the activations on the wasm backend (assembly/winograd.ts
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
const FORWARD = 'OodlabBnApply';
const ADD_RELU = 'OodlabAddRelu';
const RELU_MASK = 'OodlabReluMask';

/** The ReLU output y that masks dy, when batch norm is followed by a ReLU: its heap address; 0 without one. */
const maskAt = (b: HeapBackend, y: TensorInfo | undefined) => (y ? byteOffset(b, y) : 0);

const sums: KernelFunc = (args) => {
  const { dy, x, y } = args.inputs as { dy: TensorInfo; x: TensorInfo; y?: TensorInfo };
  const b = args.backend as unknown as HeapBackend;
  const [rows, cols] = rowsCols(x);
  const out = b.makeOutput([2, cols], 'float32');
  const mask = maskAt(b, y);
  // Each thread's partial: sum(dy) and sum(dy x), then their block sums (4 cols floats).
  reduceAcrossThreads(
    b,
    simdKernels()!,
    'bnGradSums',
    rows,
    4 * cols,
    2 * cols,
    (partial) => [byteOffset(b, dy), mask, byteOffset(b, x), cols, partial],
    (mask ? 3 : 2) * rows * cols * 4,
    out,
  );
  return out;
};

const apply: KernelFunc = (args) => {
  const { dy, x, coef, y } = args.inputs as {
    dy: TensorInfo;
    x: TensorInfo;
    coef: TensorInfo;
    y?: TensorInfo;
  };
  const b = args.backend as unknown as HeapBackend;
  const k = simdKernels()!;
  const [rows, cols] = rowsCols(x);
  const out = b.makeOutput(x.shape, 'float32');
  const mask = maskAt(b, y);
  k.split(
    'bnGradApply',
    rows,
    1,
    () => [byteOffset(b, dy), mask, byteOffset(b, x), cols, byteOffset(b, coef), byteOffset(b, out)],
    (mask ? 4 : 3) * rows * cols * 4,
  );
  return out;
};

const forward: KernelFunc = (args) => {
  const { x, coef } = args.inputs as { x: TensorInfo; coef: TensorInfo };
  const relu = (args.attrs as { relu: boolean }).relu ? 1 : 0;
  const b = args.backend as unknown as HeapBackend;
  const k = simdKernels()!;
  const [rows, cols] = rowsCols(x);
  const out = b.makeOutput(x.shape, 'float32');
  k.split(
    'bnApply',
    rows,
    1,
    () => [byteOffset(b, x), cols, byteOffset(b, coef), relu, byteOffset(b, out)],
    2 * rows * cols * 4,
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

/** max(0, a + b) over same-shaped a and b (a size that is a multiple of 4): a residual block's end. */
const addReluKernel: KernelFunc = (args) => {
  const { a, b: r } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const b = args.backend as unknown as HeapBackend;
  const out = b.makeOutput(a.shape, 'float32');
  const lanes = a.shape.reduce((p, q) => p * q, 1) / 4;
  simdKernels()!.split('addRelu', lanes, 1, () => [byteOffset(b, a), byteOffset(b, r), byteOffset(b, out)], 48 * lanes); // prettier-ignore
  return out;
};

/** dy where y > 0, else 0: a ReLU's gradient from its output. */
const reluMaskKernel: KernelFunc = (args) => {
  const { dy, y } = args.inputs as { dy: TensorInfo; y: TensorInfo };
  const b = args.backend as unknown as HeapBackend;
  const out = b.makeOutput(dy.shape, 'float32');
  const lanes = dy.shape.reduce((p, q) => p * q, 1) / 4;
  simdKernels()!.split('reluMask', lanes, 1, () => [byteOffset(b, dy), byteOffset(b, y), byteOffset(b, out)], 48 * lanes); // prettier-ignore
  return out;
};

/** Registers the kernels on the wasm backend (once). */
export function registerWasmBnKernels(): void {
  const kernels: [string, KernelFunc][] = [
    [SQUARES, squares],
    [SUMS, sums],
    [APPLY, apply],
    [FORWARD, forward],
    [ADD_RELU, addReluKernel],
    [RELU_MASK, reluMaskKernel],
  ];
  for (const [kernelName, kernelFunc] of kernels)
    if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
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

/** max(0, a + b) in one SIMD pass (the shapes equal, fusedBnGradApplies true for them). */
export function addReluFused(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(ADD_RELU, { a, b }) as tf.Tensor;
}

/** dy where y > 0, else 0, in one SIMD pass: the gradient of a ReLU whose output is y. */
export function reluMaskFused(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(RELU_MASK, { dy, y }) as tf.Tensor;
}

/** sum over batch and space of (x - mean)^2 per channel, without the full-size difference. */
export function centredSquaresFused(x: tf.Tensor, mean: tf.Tensor1D): tf.Tensor1D {
  return tf.engine().runKernel(SQUARES, { x, mean }) as tf.Tensor1D;
}

/** (x - mean) a + b per channel (the last axis), then max(0, .) when relu: the forward pass in one SIMD pass. */
export function bnApplyFused(
  x: tf.Tensor,
  mean: tf.Tensor1D,
  a: tf.Tensor1D,
  b: tf.Tensor1D,
  relu: boolean,
): tf.Tensor {
  const coef = tf.stack([mean, a, b]);
  const out = tf
    .engine()
    .runKernel(FORWARD, { x, coef }, { relu } as unknown as tf.NamedAttrMap) as tf.Tensor;
  coef.dispose();
  return out;
}

/** [sum(dy), sum(dy x)] per channel (the last axis), each a 1-d tensor; with y, dy only where y > 0 (a ReLU's). */
export function bnGradSumsFused(dy: tf.Tensor, x: tf.Tensor, y?: tf.Tensor): [tf.Tensor1D, tf.Tensor1D] {
  const s = tf.engine().runKernel(SUMS, y ? { dy, x, y } : { dy, x }) as tf.Tensor2D;
  const [a, b] = tf.unstack(s) as [tf.Tensor1D, tf.Tensor1D];
  s.dispose();
  return [a, b];
}

/** a dy + b x + c, with a, b, c one value per channel; with y, dy only where y > 0 (a ReLU's). */
export function bnGradApplyFused(
  dy: tf.Tensor,
  x: tf.Tensor,
  a: tf.Tensor1D,
  b: tf.Tensor1D,
  c: tf.Tensor1D,
  y?: tf.Tensor,
): tf.Tensor {
  const coef = tf.stack([a, b, c]);
  const out = tf.engine().runKernel(APPLY, y ? { dy, x, coef, y } : { dy, x, coef }) as tf.Tensor;
  coef.dispose();
  return out;
}
