import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TrainingHistory } from '../../../../common/contract/train';
import { loadCheckpoint, readCheckpointMeta } from '../../../../main/engine/model/checkpoint';
import type { ResNet18 } from '../../../../main/engine/model/resnet';
import { createRun, runFiles } from '../../../../main/engine/runs/store';
import { interruptedDir, loadInterrupted } from '../../../../main/engine/train/interrupt';
import { runLoop } from '../../../../main/engine/train/loop';
import { useTempHome } from '../../../helpers/runs';
import { tinyLoop } from '../../../helpers/train';

// A run stopped between two batches of epoch 2 (what SIGTERM from SLURM does) and resumed from
// checkpoints/interrupted must end with the same weights and the same history as a run never stopped: the same
// images, the same augmentations (the generator's position is restored), the same momentum and learning rates.
const t = useTempHome('wasm');
const { c, data, fresh, start, make } = tinyLoop({
  classes: 2,
  batchSize: 4,
  checkpointEvery: 1,
  augment: true,
});
const weights = (m: ResNet18) => m.namedTensors().map((t) => Array.from(t.variable.dataSync()));
const io = (runId: string, signal: AbortSignal, onBatch: (e: number, b: number) => void = () => {}) => ({
  home: t.home,
  runId,
  signal,
  onBatch: (r: { epoch: number; batch: number }) => onBatch(r.epoch, r.batch),
  onEpoch: () => {},
});

describe('a stop in the middle of an epoch', () => {
  it('saves checkpoints/interrupted and resumes to the same weights and history as an uninterrupted run', async () => {
    const a = await createRun(t.home, 'whole', c);
    const A = make();
    const endA = await runLoop(A.model, A.opt, data, c, start(a.id), io(a.id, new AbortController().signal));

    const b = await createRun(t.home, 'stopped', c);
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
    const dir = interruptedDir(t.home, b.id);
    const meta = await readCheckpointMeta(dir);
    expect(meta).toMatchObject({ epoch: 1, progress: { batch: 2, images: 8 } });
    expect((meta.progress as { draws: number }).draws).toBeGreaterThan(0);
    B.opt.dispose();
    B.model.dispose();

    // Resume as the train task does: `last` (epoch 1), then the interrupted progress over it.
    const R = make();
    const last = await loadCheckpoint(runFiles(t.home, b.id).checkpoint('last'), R.model, R.opt);
    expect(last.epoch).toBe(1);
    const partial = await loadInterrupted(t.home, b.id, 1, R.model, R.opt);
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
    expect(await loadInterrupted(t.home, b.id, 2, R.model, R.opt)).toBeNull();
    for (const x of [A, R]) {
      x.opt.dispose();
      x.model.dispose();
    }
  });
});
