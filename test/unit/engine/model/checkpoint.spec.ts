// Checkpoint round trip (weights, BN running statistics, momentum buffers, metadata) and the mismatch error.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../main/engine/backend';
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint } from '../../../../main/engine/model/checkpoint';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { Sgd } from '../../../../main/engine/train/sgd';
import { trainStep } from '../../../../main/engine/train/step';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'oodlab-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function snapshot(m: ResNet18, opt: Sgd): Promise<number[][]> {
  const ts = [...m.namedTensors().map((t) => t.variable), ...opt.state().values()];
  return Promise.all(ts.map(async (t) => Array.from(await t.data())));
}

describe('checkpoints', () => {
  it('round-trips weights, running statistics, momentum and metadata', async () => {
    const cfg = { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 5e-4 };
    const a = new ResNet18({ width: 4, numClasses: 3, seed: 1 });
    const optA = new Sgd(cfg);
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 0], 'int32');
    await trainStep(a, optA, x, y, { labelSmoothing: 0 });
    const ck = join(dir, 'last');
    await saveCheckpoint(ck, a, optA, { epoch: 3, width: 4, numClasses: 3, testAcc: 0.5 });
    await saveCheckpoint(ck, a, optA, { epoch: 4, width: 4, numClasses: 3, testAcc: 0.5 }); // overwrite in place
    expect((await readdir(ck)).filter((f) => f.endsWith('.bin')).length).toBe(1);

    const b = new ResNet18({ width: 4, numClasses: 3, seed: 99 });
    const optB = new Sgd(cfg);
    const meta = await loadCheckpoint(ck, b, optB);
    expect(meta).toMatchObject({ epoch: 4, width: 4, numClasses: 3, testAcc: 0.5 });
    expect(await readCheckpointMeta(ck)).toMatchObject({ epoch: 4 });
    expect(optB.steps).toBe(1);
    expect(await snapshot(b, optB)).toEqual(await snapshot(a, optA));
    // Continuing from the checkpoint gives the same next step as continuing the original.
    const ra = await trainStep(a, optA, x, y, { labelSmoothing: 0 });
    const rb = await trainStep(b, optB, x, y, { labelSmoothing: 0 });
    expect(rb.loss).toBeCloseTo(ra.loss, 6);
    tf.dispose([x, y]);
    for (const m of [a, b]) m.dispose();
  });

  it('refuses a checkpoint of another width or class count, clearly', async () => {
    const a = new ResNet18({ width: 4, numClasses: 3 });
    const ck = join(dir, 'w4');
    await saveCheckpoint(ck, a, null, { epoch: 1, width: 4, numClasses: 3 });
    const wider = new ResNet18({ width: 8, numClasses: 3 });
    await expect(loadCheckpoint(ck, wider)).rejects.toThrow(/width-4, 3-class .* width 8 with 3 classes/);
    const more = new ResNet18({ width: 4, numClasses: 5 });
    await expect(loadCheckpoint(ck, more)).rejects.toThrow(/5 classes/);
    await expect(loadCheckpoint(join(dir, 'nothing'), a)).rejects.toThrow(/No checkpoint/);
    for (const m of [a, wider, more]) m.dispose();
  });
});
