import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingHistory } from '../../../../common/contract/train';
import { presetConfig } from '../../../../common/train/presets';
import { initBackend } from '../../../../main/engine/backend';
import { syntheticSet } from '../../../../main/engine/data/synthetic';
import { loadCheckpoint, readCheckpointMeta } from '../../../../main/engine/model/checkpoint';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { createRun, runFiles } from '../../../../main/engine/runs/store';
import { interruptedDir, loadInterrupted } from '../../../../main/engine/train/interrupt';
import { runLoop, type LoopState } from '../../../../main/engine/train/loop';
import { Sgd } from '../../../../main/engine/train/sgd';
import { tempDir } from '../../../helpers/tmp';
import { existsSync } from 'node:fs';

// A run stopped between two batches of epoch 2 (what SIGTERM from SLURM does) and resumed from
// checkpoints/interrupted must end with the same weights and the same history as a run never stopped: the same
// images, the same augmentations (the generator's position is restored), the same momentum and learning rates.
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
  batchSize: 4,
  augment: true,
  checkpointEvery: 1,
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
    batchSize: 4,
    lr: c.lr,
    schedule: c.schedule,
    seed: 0,
    numClasses: 2,
  },
  epochs: [],
});
const make = () => ({
  model: new ResNet18({ width: 2, numClasses: 2, seed: 0 }),
  opt: new Sgd({ lr: c.lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay }),
});
const weights = (m: ResNet18) => m.namedTensors().map((t) => Array.from(t.variable.dataSync()));
const io = (runId: string, signal: AbortSignal, onBatch: (e: number, b: number) => void = () => {}) => ({
  home,
  runId,
  signal,
  onBatch: (r: { epoch: number; batch: number }) => onBatch(r.epoch, r.batch),
  onEpoch: () => {},
});

describe('a stop in the middle of an epoch', () => {
  it('saves checkpoints/interrupted and resumes to the same weights and history as an uninterrupted run', async () => {
    const a = await createRun(home, 'whole', c);
    const A = make();
    const start = (id: string): LoopState => ({
      epochsDone: 0,
      bestEpoch: 0,
      bestTestAcc: 0,
      bestScore: 0,
      history: fresh(id),
    });
    const endA = await runLoop(A.model, A.opt, data, c, start(a.id), io(a.id, new AbortController().signal));

    const b = await createRun(home, 'stopped', c);
    const B = make();
    const stop = new AbortController();
    // Abort after batch 2 of epoch 2 (4 batches an epoch): the loop notices before batch 3.
    const run = runLoop(
      B.model,
      B.opt,
      data,
      c,
      start(b.id),
      io(b.id, stop.signal, (e, bt) => e === 2 && bt === 2 && stop.abort()),
    );
    await expect(run).rejects.toMatchObject({
      code: 'cancelled',
      message: 'Cancelled during epoch 2, batch 3.',
    });
    const dir = interruptedDir(home, b.id);
    const meta = await readCheckpointMeta(dir);
    expect(meta).toMatchObject({ epoch: 1, progress: { batch: 2, images: 8 } });
    expect((meta.progress as { draws: number }).draws).toBeGreaterThan(0);
    B.opt.dispose();
    B.model.dispose();

    // Resume as the train task does: `last` (epoch 1), then the interrupted progress over it.
    const R = make();
    const last = await loadCheckpoint(runFiles(home, b.id).checkpoint('last'), R.model, R.opt);
    expect(last.epoch).toBe(1);
    const partial = await loadInterrupted(home, b.id, 1, R.model, R.opt);
    expect(partial?.progress.batch).toBe(2);
    const endR = await runLoop(
      R.model,
      R.opt,
      data,
      c,
      {
        ...start(b.id),
        epochsDone: 1,
        partial: partial!.progress,
        history: { ...fresh(b.id), epochs: endA.history.epochs.slice(0, 1) },
      },
      io(b.id, new AbortController().signal),
    );

    expect(existsSync(dir)).toBe(false); // removed once epoch 2 completed
    expect(endR.history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const pick = (h: TrainingHistory) =>
      h.epochs.map((e) => [e.trainLoss, e.trainAcc, e.testLoss, e.testAcc, e.lr]);
    expect(pick(endR.history)).toEqual(pick(endA.history));
    const wa = weights(A.model);
    const wr = weights(R.model);
    let maxDiff = 0;
    wa.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - wr[i][j])))));
    expect(maxDiff).toBe(0);
    // The stale-progress guard: an interrupted checkpoint that does not continue from `last` is ignored.
    expect(await loadInterrupted(home, b.id, 2, R.model, R.opt)).toBeNull();
    for (const x of [A, R]) {
      x.opt.dispose();
      x.model.dispose();
    }
  });
});
