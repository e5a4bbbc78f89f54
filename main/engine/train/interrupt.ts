// A checkpoint in the middle of an epoch, for a job stopped between batches (SLURM pre-emption, the warning before
// its time limit, Ctrl-C, cancel): weights, momentum and the epoch's progress (batches done, running sums, the
// augmentation generator's position) in checkpoints/interrupted. Resumed, the epoch continues at the next batch with
// the same images and augmentations, so no work is lost and the run equals an uninterrupted one. `last` stays the
// end of the last whole epoch; `interrupted` is used only when it continues from `last`, and removed when the
// epoch completes.
import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint, type CheckpointMeta } from '../model/checkpoint';
import type { ResNet18 } from '../model/resnet';
import { runFiles } from '../runs/store';
import type { EpochProgress } from './epoch';
import type { Sgd } from './sgd';

export const interruptedDir = (home: string, runId: string) =>
  join(runFiles(home, runId).checkpoints, 'interrupted');

export interface Interrupted {
  /** Completed epochs the progress continues from (= `last`'s epoch). */
  epochsDone: number;
  progress: EpochProgress;
}

export async function saveInterrupted(
  home: string,
  runId: string,
  model: ResNet18,
  opt: Sgd,
  meta: CheckpointMeta,
  progress: EpochProgress,
): Promise<void> {
  await saveCheckpoint(interruptedDir(home, runId), model, opt, { ...meta, progress: { ...progress } });
}

export async function clearInterrupted(home: string, runId: string): Promise<void> {
  await rm(interruptedDir(home, runId), { recursive: true, force: true });
}

function isProgress(p: unknown): p is EpochProgress {
  const o = p as Record<string, unknown> | null;
  return (
    !!o &&
    ['batch', 'lossSum', 'correct', 'images', 'seconds', 'draws'].every((k) => typeof o[k] === 'number')
  );
}

/**
 * Loads checkpoints/interrupted into model and opt when it continues from `epochsDone` completed epochs; null
 * (nothing loaded) when there is none or it belongs to another point of the run.
 */
export async function loadInterrupted(
  home: string,
  runId: string,
  epochsDone: number,
  model: ResNet18,
  opt: Sgd,
): Promise<Interrupted | null> {
  const dir = interruptedDir(home, runId);
  if (
    !(await access(join(dir, 'model.json')).then(
      () => true,
      () => false,
    ))
  )
    return null;
  const meta = await readCheckpointMeta(dir).catch(() => null);
  if (!meta || meta.epoch !== epochsDone || !isProgress(meta.progress)) return null;
  await loadCheckpoint(dir, model, opt);
  return { epochsDone, progress: meta.progress };
}
