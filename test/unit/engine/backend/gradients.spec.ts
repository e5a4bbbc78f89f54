// Finite-difference checks of every gradient the training step uses (the registered ones in
// main/engine/backend/gradients.ts and batch norm's custom gradient), on every backend that loads here, against
// central differences of a float64 reference written from each operation's definition (test/helpers/ref64.ts).
// A backend-against-cpu comparison cannot do this: the registrations are shared by all backends.
// Loss = sum(R * op(inputs)) with a fixed random R, so every output element carries its own weight.
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../main/engine/backend';
import { batchNormTrain, channelSum, conv1x1, conv3x3 } from '../../../../main/engine/model/layers';
import { crossEntropySum } from '../../../../main/engine/train/step';
import {
  add64,
  batchNorm64,
  conv2d64,
  crossEntropySum64,
  finiteDifferences,
  linear64,
  project64,
  randomT64,
  relativeError,
  relu64,
  spatialReduce64,
  t64,
  type T64,
} from '../../../helpers/ref64';

interface Case {
  name: string;
  inputs: () => T64[];
  ref: (xs: T64[]) => T64;
  op: (xs: tf.Tensor[]) => tf.Tensor;
  /** float32 analytic gradient against float64 differences, relative to the largest gradient element. */
  tol?: number;
}

/** A convolution case: input and filter drawn from seeds `seed` and `seed + 1`; 3x3 filters pad by 1, 1x1 by 0. */
function conv(name: string, x: number[], w: number[], seed: number, stride: number): Case {
  const [layer, pad] = w[0] === 3 ? [conv3x3, 1] : [conv1x1, 0];
  return {
    name,
    inputs: () => [randomT64(x, seed), randomT64(w, seed + 1, 0.5)],
    ref: ([a, b]) => conv2d64(a, b, stride, pad),
    op: ([a, b]) => layer(a as tf.Tensor4D, b as tf.Tensor4D, stride),
  };
}

const runningFor = (c: number) => ({
  mean: tf.variable(tf.zeros([c]), false),
  variance: tf.variable(tf.ones([c]), false),
});

/** Channel sums over N, H, W as a (1, C) tensor for the reference. */
function channelSum64(x: T64): T64 {
  const c = x.shape[x.shape.length - 1];
  const y = t64([1, c]);
  for (let i = 0; i < x.data.length; i++) y.data[i % c] += x.data[i];
  return y;
}

const cases: Case[] = [
  {
    name: 'Mean over H, W (global average pool)',
    inputs: () => [randomT64([2, 4, 4, 3], 1)],
    ref: ([x]) => spatialReduce64(x, 'mean'),
    op: ([x]) => tf.mean(x, [1, 2]),
  },
  {
    name: 'Mean over the last axis',
    inputs: () => [randomT64([3, 5], 2)],
    ref: ([x]) => {
      const y = t64([3]);
      for (let i = 0; i < 15; i++) y.data[Math.floor(i / 5)] += x.data[i] / 5;
      return y;
    },
    op: ([x]) => tf.mean(x, 1),
  },
  {
    name: 'Sum over H, W',
    inputs: () => [randomT64([2, 3, 5, 2], 3)],
    ref: ([x]) => spatialReduce64(x, 'sum'),
    op: ([x]) => tf.sum(x, [1, 2]),
  },
  {
    name: 'Sum over leading axes (channelSum)',
    inputs: () => [randomT64([2, 3, 3, 4], 4)],
    ref: ([x]) => channelSum64(x),
    op: ([x]) => tf.reshape(channelSum(x), [1, -1]),
  },
  {
    name: 'Add with a broadcast bias, Sub, Neg, Multiply',
    inputs: () => [randomT64([3, 4], 5), randomT64([4], 6), randomT64([3, 4], 7)],
    ref: ([a, b, c]) => {
      const y = t64([3, 4]);
      for (let i = 0; i < 12; i++) y.data[i] = -((a.data[i] + b.data[i % 4]) * c.data[i] - a.data[i]);
      return y;
    },
    op: ([a, b, c]) => tf.neg(tf.sub(tf.mul(tf.add(a, b), c), a)),
  },
  {
    name: 'Relu',
    // values kept away from the kink at 0, where the derivative is not defined
    inputs: () => [
      (() => {
        const t = randomT64([2, 3, 3, 2], 8);
        t.data.forEach((v, i) => (t.data[i] = v + (v >= 0 ? 0.05 : -0.05)));
        return t;
      })(),
    ],
    ref: ([x]) => relu64(x),
    op: ([x]) => tf.relu(x),
  },
  {
    name: 'BatchMatMul: features W\u2032 + b',
    inputs: () => [randomT64([4, 6], 9), randomT64([5, 6], 10), randomT64([5], 11)],
    ref: ([f, w, b]) => linear64(f, w, b),
    op: ([f, w, b]) => tf.add(tf.matMul(f, w, false, true), b),
  },
  {
    name: 'BatchMatMul, transposed left operand',
    inputs: () => [randomT64([6, 4], 12), randomT64([6, 3], 13)],
    ref: ([a, b]) => {
      const y = t64([4, 3]);
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 6; k++) y.data[i * 3 + j] += a.data[k * 4 + i] * b.data[k * 3 + j];
      return y;
    },
    op: ([a, b]) => tf.matMul(a, b, true, false),
  },
  conv('Conv2D 3x3, stride 1, padding 1', [2, 5, 5, 3], [3, 3, 3, 4], 14, 1),
  conv('Conv2D 3x3, stride 2, padding 1, even size', [2, 6, 6, 2], [3, 3, 2, 3], 16, 2),
  conv('Conv2D 3x3, stride 2, padding 1, odd size', [1, 7, 7, 3], [3, 3, 3, 2], 18, 2),
  conv('Conv2D 1x1, stride 2 (projection shortcut)', [2, 6, 6, 3], [1, 1, 3, 4], 20, 2),
  conv('Conv2D 1x1, stride 1', [2, 3, 3, 4], [1, 1, 4, 2], 22, 1),
  {
    name: 'BatchNorm (training mode, custom gradient)',
    inputs: () => [randomT64([3, 4, 4, 3], 24), randomT64([3], 25, 0.5, 1), randomT64([3], 26)],
    ref: ([x, g, b]) => batchNorm64(x, g, b),
    op: ([x, g, b]) => batchNormTrain(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, runningFor(3)),
  },
  {
    // |mean| / std = 50: the float32 cancellation in sum(dy x) - mean sum(dy) would show here
    name: 'BatchNorm with a large mean',
    inputs: () => [randomT64([2, 4, 4, 2], 27, 0.2, 10), randomT64([2], 28, 0.5, 1), randomT64([2], 29)],
    ref: ([x, g, b]) => batchNorm64(x, g, b),
    op: ([x, g, b]) => batchNormTrain(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, runningFor(2)),
    tol: 2e-4,
  },
];

const labels = [2, 0, 4, 1];

/** The loss itself: label-smoothed cross-entropy of logits (a scalar; R is 1). */
const lossCase: Case = {
  name: 'cross-entropy with label smoothing (through logSoftmax)',
  inputs: () => [randomT64([4, 5], 30, 3)],
  ref: ([l]) => t64([1], [crossEntropySum64(l, labels, 0.1)]),
  op: ([l]) => tf.reshape(crossEntropySum(l as tf.Tensor2D, tf.tensor1d(labels, 'int32'), 0.1), [1]),
};

async function analytic(c: Case, xs: T64[], r: T64): Promise<Float32Array[]> {
  const tensors = xs.map((x) => tf.tensor(Float32Array.from(x.data), x.shape, 'float32'));
  const rt = tf.tensor(Float32Array.from(r.data), r.shape, 'float32');
  const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(c.op(args), rt)))(tensors);
  const out = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
  tf.dispose([...tensors, rt, ...grads]);
  return out;
}

function check(c: Case) {
  return async () => {
    const xs = c.inputs();
    const out = c.ref(xs);
    const r = randomT64(out.shape, 99);
    const fd = finiteDifferences((inp) => project64(c.ref(inp), r), xs);
    const got = await analytic(c, xs, r);
    got.forEach((g, i) => {
      expect(g.length).toBe(fd[i].length);
      expect(relativeError(g, fd[i]), `${c.name}, input ${i}`).toBeLessThan(c.tol ?? 1e-4);
    });
  };
}

const backends = ['cpu', 'wasm', 'webgpu'] as const;

describe.each(backends)('gradients on %s against float64 finite differences', (name) => {
  let available = true;
  let why = '';
  it('initialises', async (ctx) => {
    try {
      await initBackend(name);
    } catch (err) {
      available = false;
      why = (err as Error).message;
      ctx.skip(`${name} cannot initialise here: ${why}`);
    }
  });
  for (const c of [...cases, lossCase]) {
    it(c.name, async (ctx) => {
      if (!available) ctx.skip(`${name} cannot initialise here: ${why}`);
      await initBackend(name);
      await check(c)();
    });
  }
});

describe('the reference itself', () => {
  it('finite differences of a hand-worked function are exact to 1e-8', () => {
    // f(a, b) = sum(a_i^2 b_i): df/da_i = 2 a_i b_i, df/db_i = a_i^2
    const a = t64([3], [1, -2, 0.5]);
    const b = t64([3], [3, 0.25, -4]);
    const [ga, gb] = finiteDifferences(
      ([x, y]) => x.data.reduce((s, v, i) => s + v * v * y.data[i], 0),
      [a, b],
    );
    expect(relativeError(ga, [6, -1, -4])).toBeLessThan(1e-8);
    expect(relativeError(gb, [1, 4, 0.25])).toBeLessThan(1e-8);
  });

  it('mean-pooling then a linear map has the gradient worked by hand', () => {
    // x (1, 2, 2, 1) = [1, 2, 3, 4], mean = 2.5, y = 2 * mean + 1: dy/dx_i = 2 / 4 = 0.5 for every i
    const x = t64([1, 2, 2, 1], [1, 2, 3, 4]);
    const [g] = finiteDifferences(
      ([v]) =>
        project64(
          add64(linear64(spatialReduce64(v, 'mean'), t64([1, 1], [2]), t64([1], [1])), t64([1], [0])),
          t64([1], [1]),
        ),
      [x],
    );
    expect(relativeError(g, [0.5, 0.5, 0.5, 0.5])).toBeLessThan(1e-8);
  });
});

afterAll(async () => {
  await initBackend('cpu');
});
