import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingHistory } from '../../../../common/contract/train';
import { presetConfig } from '../../../../common/train/presets';
import { initBackend, tf } from '../../../../main/engine/backend';
import { syntheticSet } from '../../../../main/engine/data/synthetic';
import { readCheckpointMeta } from '../../../../main/engine/model/checkpoint';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { createRun, listCheckpoints, readHistory, runFiles } from '../../../../main/engine/runs/store';
import { keepsEpochCheckpoint, runLoop } from '../../../../main/engine/train/loop';
import { Sgd } from '../../../../main/engine/train/sgd';
import { tempDir } from '../../../helpers/tmp';

// The loop on a width-2 net and 16 images: what it writes each epoch, and how a non-finite loss stops it.
let home: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir());
  await initBackend('wasm');
});
afterAll(() => cleanup());

const c = presetConfig('smoke', {
  width: 2,
  epochs: 3,
  batchSize: 8,
  checkpointEvery: 2,
  synthetic: { classes: 2, trainPerClass: 8, testPerClass: 4 },
});
const data = {
  train: syntheticSet({ seed: 0, ...c.synthetic! }, 'train'),
  test: syntheticSet({ seed: 0, ...c.synthetic! }, 'test'),
};
const fresh = (runId: string): TrainingHistory => ({
  runId,
  config: {
    dataset: 'synthetic',
    width: 2,
    epochs: 3,
    batchSize: 8,
    lr: c.lr,
    schedule: c.schedule,
    seed: 0,
    numClasses: 2,
  },
  epochs: [],
});
const io = (runId: string, onEpoch: (epoch: number) => void = () => {}) => ({
  home,
  runId,
  signal: new AbortController().signal,
  onBatch: () => {},
  onEpoch: (e: { epoch: number }) => onEpoch(e.epoch),
});

describe('runLoop', () => {
  it('keeps epoch-NNN at the interval and at the end', () => {
    expect([1, 2, 3].map((e) => keepsEpochCheckpoint(c, e))).toEqual([false, true, true]);
    expect(keepsEpochCheckpoint({ checkpointEvery: 10, epochs: 200 }, 190)).toBe(true);
    expect(keepsEpochCheckpoint({ checkpointEvery: 10, epochs: 200 }, 195)).toBe(false);
  });

  it('writes history and checkpoints each epoch without leaking tensors', async () => {
    const m = await createRun(home, 'loop', c);
    const model = new ResNet18({ width: 2, numClasses: 2, seed: 0 });
    const opt = new Sgd({ lr: c.lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay });
    const counts: number[] = [];
    const state = { epochsDone: 0, bestEpoch: 0, bestTestAcc: 0, bestScore: 0, history: fresh(m.id) };
    const end = await runLoop(
      model,
      opt,
      data,
      c,
      state,
      io(m.id, () => counts.push(tf.memory().numTensors)),
    );
    expect(end.epochsDone).toBe(3);
    expect(counts[2]).toBe(counts[1]); // momentum buffers exist after epoch 1; nothing grows after that
    expect((await readHistory(home, m.id))!.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(await listCheckpoints(home, m.id)).toEqual(['epoch-002', 'epoch-003', 'best', 'last']);
    expect(await readCheckpointMeta(runFiles(home, m.id).checkpoint('last'))).toMatchObject({
      epoch: 3,
      width: 2,
    });
    opt.dispose();
    model.dispose();
  });

  it('a non-finite loss stops training with a clear error and keeps the last good checkpoint', async () => {
    const m = await createRun(home, 'nan', c);
    const model = new ResNet18({ width: 2, numClasses: 2, seed: 0 });
    const opt = new Sgd({ lr: c.lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay });
    const poison = () => {
      const fc = model.classifier().weight as tf.Variable;
      fc.assign(tf.fill(fc.shape, NaN));
    };
    const state = { epochsDone: 0, bestEpoch: 0, bestTestAcc: 0, bestScore: 0, history: fresh(m.id) };
    const run = runLoop(
      model,
      opt,
      data,
      c,
      state,
      io(m.id, (e) => e === 1 && poison()),
    );
    await expect(run).rejects.toMatchObject({
      code: 'failed',
      message: expect.stringMatching(/loss became NaN at epoch 2/),
    });
    expect(await readCheckpointMeta(runFiles(home, m.id).checkpoint('last'))).toMatchObject({ epoch: 1 });
    expect((await readHistory(home, m.id))!.epochs.length).toBe(1);
    opt.dispose();
    model.dispose();
  });
});
