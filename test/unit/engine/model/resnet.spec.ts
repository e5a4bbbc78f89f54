// The ResNet's structure (parameter count from shapes, output shapes, seeded init) and its hand-written
// batch-norm gradient against a float64 reference computed here from the textbook formula.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../main/engine/backend';
import { batchNormTrain, conv3x3, convBnEval } from '../../../../main/engine/model/layers';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { countParams, tensorSpecs } from '../../../../main/engine/model/spec';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('ResNet18', () => {
  it('has exactly 11,220,132 parameters at width 64 with 100 classes', () => {
    expect(countParams(64, 100)).toBe(11_220_132);
    // The torchvision-style ResNet-18 for 10 classes (kuangliu/pytorch-cifar) has 11,173,962.
    expect(countParams(64, 10)).toBe(11_173_962);
    const specs = tensorSpecs(64, 100);
    expect(specs.filter((s) => s.role === 'conv').length).toBe(20); // stem + 16 block convs + 3 projections
  });

  it('returns logits, 8w-d features and the pooled output of each stage', async () => {
    const m = new ResNet18({ width: 4, numClasses: 7, seed: 1 });
    expect(m.paramCount()).toBe(countParams(4, 7));
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const out = m.forward(x, false);
    expect(out.logits.shape).toEqual([2, 7]);
    expect(out.features.shape).toEqual([2, 32]);
    expect(out.stages.map((s) => s.shape)).toEqual([
      [2, 4],
      [2, 8],
      [2, 16],
      [2, 32],
    ]);
    // logits = features W' + b
    const { weight, bias } = m.classifier();
    const manual = tf.add(tf.matMul(out.features, weight, false, true), bias);
    const [a, b] = [await out.logits.data(), await manual.data()];
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    tf.dispose([x, out.logits, out.features, ...out.stages, manual]);
    m.dispose();
  });

  it('initialises from the seed: same seed same weights, conv std sqrt(2 / fan_out)', async () => {
    const a = new ResNet18({ width: 8, numClasses: 10, seed: 3 });
    const b = new ResNet18({ width: 8, numClasses: 10, seed: 3 });
    const c = new ResNet18({ width: 8, numClasses: 10, seed: 4 });
    const w = (m: ResNet18) =>
      m
        .namedTensors()
        .find((t) => t.name === 'layer3.0.conv1.weight')!
        .variable.data();
    const [wa, wb, wc] = await Promise.all([w(a), w(b), w(c)]);
    expect(Array.from(wa)).toEqual(Array.from(wb));
    expect(Array.from(wa)).not.toEqual(Array.from(wc));
    let s2 = 0;
    for (const v of wa) s2 += v * v;
    const std = Math.sqrt(s2 / wa.length);
    expect(std).toBeGreaterThan(Math.sqrt(2 / (9 * 32)) * 0.9);
    expect(std).toBeLessThan(Math.sqrt(2 / (9 * 32)) * 1.1);
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('batchNormTrain', () => {
  it('matches the float64 forward and gradient formulas and updates running statistics like PyTorch', async () => {
    const [n, h, w, c] = [2, 3, 2, 3];
    const xs = Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 1.7) * 2 + (i % c));
    const dys = Array.from({ length: xs.length }, (_, i) => Math.cos(i * 0.9));
    const gs = [1.5, -0.5, 0.8];
    const bs = [0.1, 0.2, -0.3];
    const running = { mean: tf.variable(tf.zeros([c]), false), variance: tf.variable(tf.ones([c]), false) };
    const x = tf.tensor4d(xs, [n, h, w, c]);
    const gamma = tf.tensor1d(gs);
    const beta = tf.tensor1d(bs);
    const dy = tf.tensor4d(dys, [n, h, w, c]);
    const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(batchNormTrain(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, running), dy));
    const y = await batchNormTrain(x, gamma, beta, running).data();
    const [dx, dg, db] = await Promise.all(
      tf
        .grads(f)([x, gamma, beta])
        .map((t) => t.data()),
    );
    const m = n * h * w;
    for (let ch = 0; ch < c; ch++) {
      const idx = Array.from({ length: m }, (_, i) => i * c + ch);
      const mean = idx.reduce((s, i) => s + xs[i], 0) / m;
      const v = idx.reduce((s, i) => s + (xs[i] - mean) ** 2, 0) / m;
      const inv = 1 / Math.sqrt(v + 1e-5);
      const xhat = idx.map((i) => (xs[i] - mean) * inv);
      const sdy = idx.reduce((s, i) => s + dys[i], 0);
      const sdyx = idx.reduce((s, i, k) => s + dys[i] * xhat[k], 0);
      idx.forEach((i, k) => {
        expect(y[i]).toBeCloseTo(xhat[k] * gs[ch] + bs[ch], 4);
        expect(dx[i]).toBeCloseTo(gs[ch] * inv * (dys[i] - sdy / m - (xhat[k] * sdyx) / m), 4);
      });
      expect(dg[ch]).toBeCloseTo(sdyx, 4);
      expect(db[ch]).toBeCloseTo(sdy, 4);
      // Two calls (forward + the one inside grads): running = 0.9^2 * init + (1 - 0.9^2) * batch stat.
      expect((await running.mean.data())[ch]).toBeCloseTo(0.19 * mean, 4);
      expect((await running.variance.data())[ch]).toBeCloseTo(0.81 + 0.19 * ((v * m) / (m - 1)), 4);
    }
  });
});

describe('convBnEval', () => {
  it('equals conv -> BN with running statistics -> ReLU computed separately', async () => {
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const gamma = tf.tensor1d([1.2, -0.7, 0.3, 2]);
    const beta = tf.tensor1d([0.1, 0, -0.5, 0.25]);
    const running = {
      mean: tf.variable(tf.tensor1d([0.3, -1, 2, 0])),
      variance: tf.variable(tf.tensor1d([0.5, 2, 1, 4])),
    };
    for (const stride of [1, 2]) {
      const fused = await convBnEval(x, w, stride, gamma, beta, running, true).data();
      const plain = tf.relu(
        tf.batchNorm4d(
          conv3x3(x, w, stride),
          running.mean as tf.Tensor1D,
          running.variance as tf.Tensor1D,
          beta,
          gamma,
          1e-5,
        ),
      );
      const want = await plain.data();
      expect(fused.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(fused[i]).toBeCloseTo(want[i], 4);
    }
  });
});
