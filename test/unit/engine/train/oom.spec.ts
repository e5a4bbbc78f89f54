// Issue 18 item 3b: a training step that runs out of memory is redone with half the micro-batch (the same SGD step:
// the weights after it equal those of the full-batch step), the smaller size is kept and the job says so; a run
// longer than a day is announced with its alternatives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../main/engine/backend';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { longRunWarning } from '../../../../main/engine/train/eta';
import { isOutOfMemory, withMemoryRetry } from '../../../../main/engine/train/oom';
import { suggestedMicroBatch } from '../../../../main/engine/train/order';
import { Sgd } from '../../../../main/engine/train/sgd';
import { trainStep } from '../../../../main/engine/train/step';

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => undefined);

const trap = () => Object.assign(new Error('memory access out of bounds'), { name: 'RuntimeError' });

describe('out of memory in a training step', () => {
  it('recognises the ways backends run out of memory, and nothing else', () => {
    expect(isOutOfMemory(trap())).toBe(true);
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(new Error('OOM when allocating tensor with shape[128,64,32,32]'))).toBe(true);
    expect(isOutOfMemory(new Error('The training loss became NaN'))).toBe(false);
  });

  it('halves the micro-batch until the step fits, redoing the same step, and keeps the size that worked', async () => {
    const sizes: number[] = [];
    const logs: string[] = [];
    const r = await withMemoryRetry(
      128,
      async (m) => {
        sizes.push(m);
        if (m > 32) throw trap();
        return m;
      },
      (l) => logs.push(l),
    );
    expect(sizes).toEqual([128, 64, 32]);
    expect(r).toEqual({ result: 32, micro: 32 });
    expect(logs).toEqual([
      'A training step ran out of memory at micro-batch 128; redoing it at 64 (and keeping 64).',
      'A training step ran out of memory at micro-batch 64; redoing it at 32 (and keeping 32).',
    ]);
    await expect(
      withMemoryRetry(
        2,
        async () => Promise.reject(trap()),
        () => undefined,
      ),
    ).rejects.toThrow(/even one image at a time/);
    await expect(
      withMemoryRetry(
        8,
        async () => Promise.reject(new Error('other')),
        () => undefined,
      ),
    ).rejects.toThrow('other');
  });

  it('a step that failed half-way leaks no tensors, and the redone step equals the full-batch step', async () => {
    const cfg = { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 5e-4 };
    const x = tf.randomNormal([8, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
    // Batch-norm statistics are per micro-batch, so the reference uses the same micro-batch the retry ends at.
    const ref = new ResNet18({ width: 2, numClasses: 3, seed: 5 });
    const m = new ResNet18({ width: 2, numClasses: 3, seed: 5 });
    const refStart = tf.memory().numTensors;
    await trainStep(ref, new Sgd(cfg), x, y, { labelSmoothing: 0, microBatch: 4 });
    const grown = tf.memory().numTensors - refStart; // what a clean step leaves: the momentum buffers
    const opt = new Sgd(cfg);
    const before = tf.memory().numTensors;
    let calls = 0;
    const { micro } = await withMemoryRetry(
      8,
      async (mb) => {
        if (++calls === 1) {
          // fail inside the step, after a first chunk's gradients exist
          const orig = m.forward.bind(m);
          let chunk = 0;
          m.forward = (xs: tf.Tensor4D, training: boolean) => {
            if (++chunk === 2) throw trap();
            return orig(xs, training);
          };
          try {
            return await trainStep(m, opt, x, y, { labelSmoothing: 0, microBatch: 4 });
          } finally {
            m.forward = orig;
          }
        }
        return trainStep(m, opt, x, y, { labelSmoothing: 0, microBatch: mb });
      },
      () => undefined,
    );
    expect(micro).toBe(4);
    expect(tf.memory().numTensors - before).toBe(grown);
    const a = await Promise.all(m.trainable().map((t) => t.variable.data()));
    const b = await Promise.all(ref.trainable().map((t) => t.variable.data()));
    a.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(b[i])));
    tf.dispose([x, y]);
    m.dispose();
    ref.dispose();
  });

  it('picks a micro-batch for the paper recipe on wasm instead of only warning', () => {
    expect(suggestedMicroBatch({ width: 64, batchSize: 128 }, 'wasm')).toBe(32);
    expect(suggestedMicroBatch({ width: 64, batchSize: 128, microBatch: 16 }, 'wasm')).toBeUndefined();
  });

  it('announces a run of more than a day with its alternatives', () => {
    // paper preset on 2 cores: 200 epochs x 50,000 images at ~7.7 images/s
    const w = longRunWarning(7.7, 200 * 50_000, 'wasm');
    expect(w).toMatch(/about 361 h \(15\.0 days\)/);
    expect(w).toMatch(/--preset quick.*GPU backend.*cluster/);
    expect(longRunWarning(500, 200 * 50_000, 'webgpu')).toBeNull();
  });
});
