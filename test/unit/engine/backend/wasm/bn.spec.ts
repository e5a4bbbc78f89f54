// Batch norm's fused forward and backward passes on wasm (backend/wasm/bn.ts through model/layers.ts
// batchNormTrain), alone and with the ReLU that follows it fused in, against a float64 evaluation of the closed form
// written here and against the cpu backend, for channel counts 4, 8 and 12, odd spatial sizes, and every call split
// across the SIMD helper threads as well as on one thread; and a residual block's end, max(0, a + b), with its
// gradient, against the cpu backend's tfjs ops.
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../../main/engine/backend';
import { fusedBnGradApplies } from '../../../../../main/engine/backend/wasm/bn';
import { setSplitBytes } from '../../../../../main/engine/backend/wasm/simd';
import { BN_EPS, addRelu, batchNormTrain } from '../../../../../main/engine/model/layers';

const shapes: [number, number, number, number][] = [
  [3, 5, 7, 8],
  [2, 4, 4, 12],
  [5, 3, 3, 4],
];

function data(shape: number[], seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 4 - 2 + (seed % 3);
  });
}

/** dx, dgamma, dbeta of sum(dy * BN(x)) in float64, from the textbook formula; with relu (b: beta), of
 * sum(dy * max(0, BN(x))), i.e. dy taken as 0 where BN(x) <= 0. */
function reference(x: Float32Array, dyIn: Float32Array, g: Float32Array, C: number, relu?: Float32Array) {
  const M = x.length / C;
  const mean = new Float64Array(C);
  const varc = new Float64Array(C);
  for (let i = 0; i < x.length; i++) mean[i % C] += x[i] / M;
  for (let i = 0; i < x.length; i++) varc[i % C] += (x[i] - mean[i % C]) ** 2 / M;
  const inv = Array.from(varc, (v) => 1 / Math.sqrt(v + BN_EPS));
  const dy = relu
    ? Float64Array.from(dyIn, (d, i) =>
        g[i % C] * (x[i] - mean[i % C]) * inv[i % C] + relu[i % C] > 0 ? d : 0,
      )
    : dyIn;
  const dbeta = new Float64Array(C);
  const dgamma = new Float64Array(C);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    dbeta[c] += dy[i];
    dgamma[c] += dy[i] * (x[i] - mean[c]) * inv[c];
  }
  const dx = Float64Array.from(x, (v, i) => {
    const c = i % C;
    const xhat = (v - mean[c]) * inv[c];
    return g[c] * inv[c] * (dy[i] - dbeta[c] / M - (xhat * dgamma[c]) / M);
  });
  return [dx, dgamma, dbeta];
}

async function grads(shape: [number, number, number, number], relu = false): Promise<Float32Array[]> {
  const C = shape[3];
  const x = tf.tensor4d(data(shape, 1), shape);
  const dy = tf.tensor4d(data(shape, 2), shape);
  const g = tf.tensor1d(data([C], 3));
  const b = tf.tensor1d(data([C], 4));
  const running = { mean: tf.variable(tf.zeros([C])), variance: tf.variable(tf.ones([C])) };
  const out = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) =>
    tf.sum(
      tf.mul(batchNormTrain(xi as tf.Tensor4D, gi as tf.Tensor1D, bi as tf.Tensor1D, running, relu), dy),
    ),
  )([x, g, b]);
  const vals = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, dy, g, b, ...out, running.mean, running.variance]);
  return vals;
}

/** BN(x) in training mode (then max(0, .) with relu), in float64. */
function forwardReference(x: Float32Array, g: Float32Array, b: Float32Array, C: number, relu = false) {
  const M = x.length / C;
  const mean = new Float64Array(C);
  const varc = new Float64Array(C);
  for (let i = 0; i < x.length; i++) mean[i % C] += x[i] / M;
  for (let i = 0; i < x.length; i++) varc[i % C] += (x[i] - mean[i % C]) ** 2 / M;
  const y = (v: number, i: number) =>
    (g[i % C] * (v - mean[i % C])) / Math.sqrt(varc[i % C] + BN_EPS) + b[i % C];
  return Float64Array.from(x, (v, i) => (relu ? Math.max(0, y(v, i)) : y(v, i)));
}

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
};

describe('fused batch-norm backward pass (wasm)', () => {
  afterAll(() => setSplitBytes());

  it('normalises like the float64 formula (variance from one SIMD pass), split across threads and on one', async () => {
    await initBackend('wasm');
    for (const split of [0, 1 << 30])
      for (const relu of [false, true]) {
        setSplitBytes(split);
        for (const s of shapes) {
          const C = s[3];
          const running = { mean: tf.variable(tf.zeros([C])), variance: tf.variable(tf.ones([C])) };
          const [x, g, b] = [
            tf.tensor4d(data(s, 1), s),
            tf.tensor1d(data([C], 3)),
            tf.tensor1d(data([C], 4)),
          ];
          const y = batchNormTrain(x, g, b, running, relu);
          const out = (await y.data()) as Float32Array;
          const ref = forwardReference(data(s, 1), data([C], 3), data([C], 4), C, relu);
          expect(maxRel(out, ref), `shape ${s}, split ${split}, relu ${relu}`).toBeLessThan(1e-5);
          // the ReLU really clips (beta in -2..2 leaves both signs)
          if (relu) expect(out.filter((v) => v === 0).length).toBeGreaterThan(out.length / 10);
          tf.dispose([x, g, b, y, running.mean, running.variance]);
        }
      }
  });

  it('matches the float64 closed form and the cpu backend, split across threads and on one', async () => {
    await initBackend('cpu');
    const cpu = [];
    for (const s of shapes) cpu.push(await grads(s));
    const cpuRelu = [];
    for (const s of shapes) cpuRelu.push(await grads(s, true));
    await initBackend('wasm');
    expect(fusedBnGradApplies(tf.zeros([1, 1, 1, 8]))).toBe(true);
    expect(fusedBnGradApplies(tf.zeros([1, 1, 1, 6]))).toBe(false);
    const kernels = (await tf.profile(async () => (await grads(shapes[0]), tf.scalar(0)))).kernels.map(
      (k) => k.name,
    );
    expect(kernels).toContain('OodlabBnGradSums');
    expect(kernels).toContain('OodlabBnGradApply');
    expect(kernels).toContain('OodlabBnCentredSquares');
    expect(kernels).toContain('OodlabBnApply');
    const withRelu = (await tf.profile(async () => (await grads(shapes[0], true), tf.scalar(0)))).kernels;
    // the ReLU runs inside batch norm's kernels: no Relu forward, no Step (its gradient's mask) backward
    expect(withRelu.map((k) => k.name)).not.toContain('Relu');
    expect(withRelu.map((k) => k.name)).not.toContain('Step');
    for (const split of [0, 1 << 30])
      for (const relu of [false, true]) {
        setSplitBytes(split);
        for (const [i, s] of shapes.entries()) {
          const got = await grads(s, relu);
          const ref = reference(
            data(s, 1),
            data(s, 2),
            data([s[3]], 3),
            s[3],
            relu ? data([s[3]], 4) : undefined,
          );
          for (let j = 0; j < 3; j++) {
            // dgamma = invstd (sum(dy x) - mean sum(dy)) cancels in float32: 3e-5 here, the same on the unfused path.
            const tol = j === 1 ? 1e-4 : 1e-5;
            const at = `shape ${s}, output ${j}, split ${split}, relu ${relu}`;
            expect(maxRel(got[j], ref[j]), at).toBeLessThan(tol);
            expect(maxRel(got[j], (relu ? cpuRelu : cpu)[i][j]), `${at} vs cpu`).toBeLessThan(tol);
          }
        }
      }
  });
});

/** max(0, a + b) and the gradients of sum(dy max(0, a + b)) with respect to a and b. */
async function addReluGrads(shape: [number, number, number, number]): Promise<Float32Array[]> {
  const [a, b, dy] = [3, 6, 2].map((k) => tf.tensor4d(data(shape, k), shape)); // a, b centred on 0
  const y = addRelu(a, b);
  const g = tf.grads((ai: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(addRelu(ai as tf.Tensor4D, bi as tf.Tensor4D), dy)))([a, b]); // prettier-ignore
  const vals = await Promise.all([y, ...g].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([a, b, dy, y, ...g]);
  return vals;
}

describe('fused residual add + ReLU (wasm)', () => {
  afterAll(() => setSplitBytes());

  it('equals tfjs add + relu and its gradient on the cpu backend, split across threads and on one', async () => {
    await initBackend('cpu');
    const cpu = [];
    for (const s of shapes) cpu.push(await addReluGrads(s));
    await initBackend('wasm');
    const kernels = (await tf.profile(async () => (await addReluGrads(shapes[0]), tf.scalar(0)))).kernels.map(
      (k) => k.name,
    );
    expect(kernels).toContain('OodlabAddRelu');
    expect(kernels).toContain('OodlabReluMask');
    expect(kernels).not.toContain('Relu');
    process.env.OODLAB_FUSED_RELU = '0'; // the switch to compare with tfjs' own ops
    const unfused = (await tf.profile(async () => (await addReluGrads(shapes[0]), tf.scalar(0)))).kernels;
    delete process.env.OODLAB_FUSED_RELU;
    expect(unfused.map((k) => k.name)).toContain('Relu');
    for (const split of [0, 1 << 30]) {
      setSplitBytes(split);
      for (const [i, s] of shapes.entries()) {
        const got = await addReluGrads(s);
        // y, da, db: the same float32 sums and selections, so equal to the last bit (but for the sign of zero: tfjs'
        // gradient is dy * 0, -0 where dy < 0; the mask gives +0)
        const plain = (v: Float32Array) => Array.from(v, (e) => e + 0);
        for (let j = 0; j < 3; j++) expect(plain(got[j]), `shape ${s}, output ${j}, split ${split}`).toEqual(plain(cpu[i][j])); // prettier-ignore
        // both signs occur, so the mask is exercised
        expect(got[0].filter((v) => v === 0).length).toBeGreaterThan(got[0].length / 10);
        expect(got[0].filter((v) => v > 0).length).toBeGreaterThan(got[0].length / 10);
      }
    }
  });
});
