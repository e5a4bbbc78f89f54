// Every backend that loads here must compute the same logits and gradients as the cpu reference on a small
// ResNet (width 4, 8x8 input, batch 3), within float32 tolerance (DESIGN.md "Compute backends").
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../main/engine/backend';
import { wasmThreads } from '../../../../main/engine/backend/wasm';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { crossEntropySum } from '../../../../main/engine/train/step';

interface Result {
  logits: Float32Array;
  loss: number;
  grads: Float32Array[];
}

async function compute(seed: number): Promise<Result> {
  const model = new ResNet18({ width: 4, numClasses: 5, seed });
  const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
  const y = tf.tensor1d([0, 3, 4], 'int32');
  const ev = model.forward(x, false);
  const logits = (await ev.logits.data()) as Float32Array;
  const vars = model.trainable().map((t) => t.variable);
  const { value, grads } = tf.variableGrads(
    () => crossEntropySum(model.forward(x, true).logits, y, 0.1),
    vars,
  );
  const loss = (await value.data())[0];
  const g = await Promise.all(vars.map((v) => grads[v.name].data() as Promise<Float32Array>));
  tf.dispose([x, y, ev.logits, ev.features, ...ev.stages, value, ...Object.values(grads)]);
  model.dispose();
  return { logits, loss, grads: g };
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1e-3;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / scale;
}

describe('backends agree with cpu', () => {
  let ref: Result;
  beforeAll(async () => {
    await initBackend('cpu');
    ref = await compute(5);
  });

  for (const name of ['wasm', 'webgpu'] as const) {
    it(`${name}: logits and gradients`, async (ctx) => {
      try {
        const report = await initBackend(name);
        // The threaded build really runs XNNPACK on every core (tfjs reports its thread pool's size).
        if (name === 'wasm') expect(report.device).toContain(`XNNPACK, ${wasmThreads()} thread`);
      } catch (err) {
        ctx.skip(`${name} cannot initialise here: ${(err as Error).message}`);
      }
      const r = await compute(5);
      expect(r.logits.length).toBe(ref.logits.length);
      expect(maxRelDiff(ref.logits, r.logits)).toBeLessThan(1e-4);
      expect(Math.abs(r.loss - ref.loss)).toBeLessThan(1e-4 * Math.abs(ref.loss));
      expect(r.grads.length).toBe(ref.grads.length);
      // Per tensor, relative to the tensor's largest gradient.
      const worst = Math.max(...r.grads.map((g, i) => maxRelDiff(ref.grads[i], g)));
      expect(worst).toBeLessThan(2e-3);
    });
  }
});
