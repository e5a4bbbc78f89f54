// The wasm Conv2DBackpropFilter / Conv2DBackpropInput kernels (forward convolutions on transposed / dilated
// tensors) against tfjs' cpu kernels, over strides, paddings and odd sizes.
import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../main/engine/backend';
import { p1, type Pad } from '../../../../helpers/conv';

const cases: { k: number; stride: number; pad: Pad; size: number }[] = [
  { k: 3, stride: 1, pad: p1, size: 8 },
  { k: 3, stride: 2, pad: p1, size: 8 },
  { k: 3, stride: 2, pad: p1, size: 9 },
  { k: 3, stride: 2, pad: 'same', size: 9 },
  { k: 3, stride: 2, pad: 'same', size: 8 },
  { k: 5, stride: 2, pad: 'same', size: 8 },
  { k: 3, stride: 3, pad: 'valid', size: 9 },
  { k: 1, stride: 2, pad: 'valid', size: 8 },
  { k: 1, stride: 2, pad: 'valid', size: 7 },
  { k: 3, stride: 1, pad: 'valid', size: 7 },
];

async function grads(c: (typeof cases)[number]): Promise<Float32Array[]> {
  const x = tf.randomNormal([2, c.size, c.size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const f = tf.randomNormal([c.k, c.k, 3, 5], 0, 1, 'float32', 2) as tf.Tensor4D; // ci 3, co 5
  const y = tf.conv2d(x, f, c.stride, c.pad);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
  const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dy)),
  )([x, f]);
  const out = [(await dx.data()) as Float32Array, (await df.data()) as Float32Array];
  tf.dispose([x, f, y, dy, dx, df]);
  return out;
}

describe('wasm convolution gradient kernels', () => {
  it('match the cpu kernels', async () => {
    await initBackend('cpu');
    const ref = [];
    for (const c of cases) ref.push(await grads(c));
    await initBackend('wasm');
    for (let i = 0; i < cases.length; i++) {
      const got = await grads(cases[i]);
      for (let j = 0; j < 2; j++) {
        expect(got[j].length).toBe(ref[i][j].length);
        let d = 0;
        for (let e = 0; e < got[j].length; e++) d = Math.max(d, Math.abs(got[j][e] - ref[i][j][e]));
        expect(d, `case ${i} ${j ? 'filter' : 'input'}`).toBeLessThan(1e-4);
      }
    }
  });
});
