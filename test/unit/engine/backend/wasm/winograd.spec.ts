// Winograd F(4x4, 3x3) convolution on wasm: the transforms directly against tfjs' cpu convolution (odd sizes,
// partial edge tiles, bias + ReLU); then one layer wide enough to take the Winograd path inside tf.conv2d,
// with its gradients (the stride-1 input gradient is a Winograd convolution too), against the direct XNNPACK
// kernels (OODLAB_WINOGRAD=0; wasm/kernels.spec checks those against cpu): cpu gradients at 128 channels
// take a minute.
import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { initBackend, tf } from '../../../../../main/engine/backend';
import { winogradApplies } from '../../../../../main/engine/backend/wasm/conv';
import type { HeapBackend } from '../../../../../main/engine/backend/wasm/ops';
import { winogradConv3x3 } from '../../../../../main/engine/backend/wasm/winograd';

const pad1: [[number, number], [number, number], [number, number], [number, number]] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

function inputs(n: number, h: number, w: number, ci: number, co: number) {
  const x = tf.randomNormal([n, h, w, ci], 0, 1, 'float32', 1) as tf.Tensor4D;
  const f = tf.randomNormal([3, 3, ci, co], 0, 0.2, 'float32', 2) as tf.Tensor4D;
  const bias = tf.randomNormal([co], 0, 1, 'float32', 3) as tf.Tensor1D;
  return { x, f, bias };
}

/** max |got - ref| / max(1, max |ref|): float32 Winograd F(4,3) keeps this near 1e-6. */
function relErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(got.length).toBe(ref.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(got[i] - ref[i]));
    m = Math.max(m, Math.abs(ref[i]));
  }
  return d / Math.max(m, 1);
}

// Channel counts that are multiples of 4 take the SIMD transforms (wasm/simd.ts), the others the JS ones.
const small = [
  [2, 8, 8, 5, 7],
  [1, 7, 9, 4, 3],
  [2, 5, 5, 3, 6],
  [1, 1, 2, 2, 2],
  [2, 7, 9, 8, 12],
  [3, 8, 8, 16, 8],
  [1, 5, 6, 4, 4],
  [1, 1, 1, 4, 8],
] as const;

async function reference(): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [n, h, w, ci, co] of small) {
    const { x, f, bias } = inputs(n, h, w, ci, co);
    const y = tf.conv2d(x, f, 1, pad1);
    const yb = tf.relu(tf.add(y, bias));
    out.push((await y.data()) as Float32Array, (await yb.data()) as Float32Array);
    tf.dispose([x, f, bias, y, yb]);
  }
  return out;
}

async function wide(): Promise<Float32Array[]> {
  const { x, f, bias } = inputs(1, 32, 30, 128, 128);
  const dy = tf.randomNormal([1, 32, 30, 128], 0, 1, 'float32', 4);
  const loss = (a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad1), dy));
  const y = tf.conv2d(x, f, 1, pad1);
  const [dx, df] = tf.grads(loss)([x, f]);
  const out = await Promise.all([y, dx, df].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, f, bias, dy, y, dx, df]);
  return out;
}

describe('wasm Winograd convolution', () => {
  it('matches the cpu convolution, with bias and ReLU, without leaking tensors', async () => {
    await initBackend('cpu');
    const ref = await reference();
    await initBackend('wasm');
    const be = tf.backend() as unknown as HeapBackend;
    const before = tf.memory().numTensors;
    small.forEach(([n, h, w, ci, co], i) => {
      const { x, f, bias } = inputs(n, h, w, ci, co);
      const wrap = (t: TensorInfo) => tf.engine().makeTensorFromTensorInfo(t);
      const y = wrap(winogradConv3x3(be, x, f));
      const yb = wrap(winogradConv3x3(be, x, f, bias, true));
      expect(relErr(y.dataSync(), ref[2 * i]), `shape ${i}`).toBeLessThan(1e-5);
      expect(relErr(yb.dataSync(), ref[2 * i + 1]), `shape ${i} fused`).toBeLessThan(1e-5);
      tf.dispose([x, f, bias, y, yb]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is taken by tf.conv2d for wide layers, and its gradients match the direct convolution', async () => {
    await initBackend('wasm');
    const { x, f } = inputs(1, 32, 30, 128, 128);
    expect(winogradApplies(x, f, { strides: 1, pad: pad1, dataFormat: 'NHWC' })).toBe(true);
    tf.dispose([x, f]);
    const saved = process.env.OODLAB_WINOGRAD;
    process.env.OODLAB_WINOGRAD = '0';
    try {
      const ref = await wide();
      process.env.OODLAB_WINOGRAD = '1';
      const got = await wide();
      // float32 transforms (the SIMD path) over 128 channels: F(4x4, 3x3)'s known ~1e-5 relative error.
      ['output', 'input gradient', 'filter gradient'].forEach((what, i) =>
        expect(relErr(got[i], ref[i]), what).toBeLessThan(3e-5),
      );
    } finally {
      if (saved === undefined) delete process.env.OODLAB_WINOGRAD;
      else process.env.OODLAB_WINOGRAD = saved;
    }
  });
});
