// Runs for tests: a temporary OODLab home (with a backend), a task context that records nothing, and a tiny
// synthetic run whose checkpoints are untrained width-2 networks written directly (no training needed).
import { afterAll, beforeAll } from 'vitest';
import type { BackendChoice } from '../../common/contract/system';
import type { RunManifest } from '../../common/contract/runs';
import { TrainConfig, type TrainingHistory } from '../../common/contract/train';
import { initBackend } from '../../main/engine/backend';
import { saveCheckpoint } from '../../main/engine/model/checkpoint';
import { ResNet18 } from '../../main/engine/model/resnet';
import { createRun, runFiles } from '../../main/engine/runs/store';
import type { TaskContext } from '../../main/engine/task';
import { tempDir } from './tmp';

/** A temporary home made before the file's tests (then the backend started, when named) and removed after them. */
export function useTempHome(backend?: BackendChoice, prefix?: string): { readonly home: string } {
  const t = { home: '' };
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir: t.home, cleanup } = await tempDir(prefix));
    if (backend) await initBackend(backend);
  });
  afterAll(() => cleanup());
  return t;
}

/** A task context that ignores progress, logs and events, and is never aborted. */
export function taskContext(home: string, jobId = 'test'): TaskContext {
  return {
    jobId,
    home,
    signal: new AbortController().signal,
    progress: () => {},
    log: () => {},
    emit: () => {},
  };
}

export interface TinyRunOptions {
  /** the synthetic set: classes, training and test images per class */
  synthetic: { classes: number; trainPerClass: number; testPerClass: number };
  epochs?: number;
  checkpointEvery?: number;
  /** the checkpoints to write: name ('best' or an epoch) -> the seed of its random width-2 network */
  checkpoints?: Partial<Record<'best' | number, number>>;
  /** a (trained) width-2 network saved as 'best' instead of a random one; the caller keeps and disposes it */
  model?: ResNet18;
}

/** A width-2 synthetic run (batch 8, lr 0.1, cosine) with random networks saved as its checkpoints. */
export async function tinyRun(home: string, name: string, o: TinyRunOptions): Promise<RunManifest> {
  const epochs = o.epochs ?? 1;
  const config = TrainConfig.parse({
    dataset: 'synthetic',
    synthetic: o.synthetic,
    width: 2,
    epochs,
    batchSize: 8,
    lr: 0.1,
    schedule: 'cosine',
    ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
  });
  const run = await createRun(home, name, config);
  const numClasses = o.synthetic.classes;
  for (const [key, seed] of Object.entries(o.checkpoints ?? { best: 1 })) {
    const which = key === 'best' ? 'best' : Number(key);
    const given = which === 'best' ? o.model : undefined;
    const model = given ?? new ResNet18({ width: 2, numClasses, seed: seed! });
    await saveCheckpoint(runFiles(home, run.id).checkpoint(which), model, null, {
      epoch: which === 'best' ? epochs : which,
      width: 2,
      numClasses,
    });
    if (!given) model.dispose();
  }
  return run;
}

/** The history of a smoke-preset run (synthetic, width 4, 3 epochs, batch 32, lr 0.05) holding these epochs. */
export function smokeHistory(runId: string, epochs: TrainingHistory['epochs'] = []): TrainingHistory {
  return {
    runId,
    config: {
      dataset: 'synthetic',
      width: 4,
      epochs: 3,
      batchSize: 32,
      lr: 0.05,
      schedule: 'cosine',
      seed: 0,
      numClasses: 4,
    },
    epochs,
  };
}
