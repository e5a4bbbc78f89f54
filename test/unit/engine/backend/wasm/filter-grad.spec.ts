// The direct SIMD filter gradient (wasm/filter-grad.ts) against tfjs' cpu kernel: strides, paddings ('same' with
// its uneven padding, explicit, 'valid'), 1x1, 3x3 and 5x5 filters, odd sizes, co 4 and 8 (its two code paths),
// every call split across the helper threads (uneven image counts) and on one thread; and which layers the
// measured rule sends to it.
import { afterAll, describe, expect, it } from 'vitest';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { initBackend, tf } from '../../../../../main/engine/backend';
import {
  directFilterGradApplies,
  forceDirectFilterGrad,
} from '../../../../../main/engine/backend/wasm/filter-grad';
import { setSplitBytes } from '../../../../../main/engine/backend/wasm/simd';
import { p1, type Pad } from '../../../../helpers/conv';

const cases: { k: number; stride: number; pad: Pad; size: number; ci: number; co: number; n: number }[] = [
  { k: 3, stride: 1, pad: p1, size: 8, ci: 3, co: 8, n: 3 },
  { k: 3, stride: 2, pad: p1, size: 9, ci: 8, co: 4, n: 5 },
  { k: 3, stride: 2, pad: 'same', size: 8, ci: 5, co: 8, n: 2 },
  { k: 5, stride: 2, pad: 'same', size: 9, ci: 2, co: 12, n: 3 },
  { k: 1, stride: 2, pad: 'valid', size: 7, ci: 8, co: 16, n: 3 },
  { k: 3, stride: 1, pad: 'valid', size: 7, ci: 4, co: 8, n: 1 },
  { k: 5, stride: 2, pad: 'same', size: 2, ci: 6, co: 20, n: 3 },
  { k: 3, stride: 1, pad: p1, size: 5, ci: 12, co: 16, n: 4 },
];

async function filterGrad(c: (typeof cases)[number]): Promise<Float32Array> {
  const x = tf.randomNormal([c.n, c.size, c.size, c.ci], 0, 1, 'float32', 1) as tf.Tensor4D;
  const f = tf.randomNormal([c.k, c.k, c.ci, c.co], 0, 1, 'float32', 2) as tf.Tensor4D;
  const y = tf.conv2d(x, f, c.stride, c.pad);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
  const df = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, b as tf.Tensor4D, c.stride, c.pad), dy)))(
    f,
  );
  const out = (await df.data()) as Float32Array;
  tf.dispose([x, f, y, dy, df]);
  return out;
}

describe('direct SIMD filter gradient (wasm)', () => {
  afterAll(() => {
    forceDirectFilterGrad(null);
    setSplitBytes();
  });

  it('matches the cpu kernel, split across threads and on one', async () => {
    await initBackend('cpu');
    const ref: Float32Array[] = [];
    for (const c of cases) ref.push(await filterGrad(c));
    await initBackend('wasm');
    forceDirectFilterGrad(true);
    for (const split of [0, 1 << 30]) {
      setSplitBytes(split);
      for (let i = 0; i < cases.length; i++) {
        const got = await filterGrad(cases[i]);
        expect(got.length).toBe(ref[i].length);
        let d = 0;
        for (let e = 0; e < got.length; e++) d = Math.max(d, Math.abs(got[e] - ref[i][e]));
        expect(d, `case ${i}, split ${split}`).toBeLessThan(1e-4);
      }
    }
  });

  it('is picked for shortcuts, strided and narrow layers, not for wide stride-1 ones', () => {
    forceDirectFilterGrad(null);
    const x = (shape: number[]) => ({ shape, dtype: 'float32' }) as unknown as TensorInfo;
    const a = (k: number, s: number, ci: number, co: number) => ({
      strides: s,
      pad: (k === 1 ? 'valid' : 'same') as 'valid' | 'same',
      dataFormat: 'NHWC' as const,
      filterShape: [k, k, ci, co],
    });
    expect(directFilterGradApplies(x([128, 8, 8, 256]), a(1, 2, 256, 512))).toBe(true);
    expect(directFilterGradApplies(x([128, 32, 32, 16]), a(3, 2, 16, 32))).toBe(true);
    expect(directFilterGradApplies(x([128, 32, 32, 8]), a(3, 1, 8, 8))).toBe(true);
    expect(directFilterGradApplies(x([128, 32, 32, 128]), a(3, 1, 128, 128))).toBe(false);
    expect(directFilterGradApplies(x([128, 32, 32, 8]), a(3, 1, 8, 6))).toBe(false); // co not a multiple of 4
  });
});
