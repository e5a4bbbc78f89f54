// The training step: no tensor leaks, the loss falls on every backend that loads, micro-batches accumulate
// the same gradient as the whole batch (checked where BN statistics cannot differ: two identical halves).
import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../main/engine/backend';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { Sgd } from '../../../../main/engine/train/sgd';
import { crossEntropySum, evaluateBatch, trainStep } from '../../../../main/engine/train/step';

function batch(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const x = tf.randomNormal([n, 8, 8, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 4),
    'int32',
  );
  return { x, y };
}

describe('trainStep', () => {
  for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
    it(`drives the loss down on one batch without leaking tensors (${backend})`, async (ctx) => {
      try {
        await initBackend(backend);
      } catch (err) {
        ctx.skip(`${backend} cannot initialise here: ${(err as Error).message}`);
      }
      const model = new ResNet18({ width: 4, numClasses: 4, seed: 2 });
      const opt = new Sgd({ lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 5e-4 });
      const { x, y } = batch(8, 1);
      const losses: number[] = [];
      const counts: number[] = [];
      for (let i = 0; i < 5; i++) {
        losses.push((await trainStep(model, opt, x, y, { labelSmoothing: 0.1, microBatch: 4 })).loss);
        counts.push(tf.memory().numTensors);
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
      // After the first step has created the momentum buffers, the count stays put.
      expect(new Set(counts.slice(1)).size).toBe(1);
      const ev = await evaluateBatch(model, x, y);
      expect(ev.correct).toBeGreaterThanOrEqual(0);
      expect(ev.correct).toBeLessThanOrEqual(8);
      tf.dispose([x, y]);
      opt.dispose();
      model.dispose();
    });
  }

  it('accumulates micro-batch gradients into the full-batch update', async () => {
    await initBackend('cpu');
    const half = batch(3, 4);
    const x = tf.concat([half.x, half.x]) as tf.Tensor4D;
    const y = tf.concat([half.y, half.y]) as tf.Tensor1D;
    const run = async (microBatch?: number) => {
      const m = new ResNet18({ width: 4, numClasses: 4, seed: 9 });
      const opt = new Sgd({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 });
      const r = await trainStep(m, opt, x, y, { labelSmoothing: 0.2, microBatch });
      const w = await m
        .namedTensors()
        .find((t) => t.name === 'layer2.0.conv1.weight')!
        .variable.data();
      opt.dispose();
      m.dispose();
      return { r, w };
    };
    const whole = await run();
    const split = await run(3);
    expect(split.r.loss).toBeCloseTo(whole.r.loss, 5);
    expect(split.r.correct).toBe(whole.r.correct);
    for (let i = 0; i < whole.w.length; i++) expect(split.w[i]).toBeCloseTo(whole.w[i], 5);
  });

  it('computes label-smoothed cross-entropy as -sum(q log p)', async () => {
    await initBackend('cpu');
    const logits = tf.tensor2d([[2, 0, -1]]);
    const loss = (await crossEntropySum(logits, tf.tensor1d([0], 'int32'), 0.3).data())[0];
    const z = Math.log(Math.exp(2) + 1 + Math.exp(-1));
    const logp = [2 - z, -z, -1 - z];
    const q = [0.7 + 0.1, 0.1, 0.1];
    expect(loss).toBeCloseTo(-(q[0] * logp[0] + q[1] * logp[1] + q[2] * logp[2]), 5);
  });
});
