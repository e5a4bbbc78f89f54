// The epoch loop: train, evaluate, append to training_history.json, keep checkpoints. The order of writes makes every
// stop point resumable: history first, then best / epoch-NNN, then `last` (the resume point); on resume the history
// is cut back to `last`'s epoch, so an epoch interrupted half-way is simply trained again.
import type { HistoryEntry, TrainConfig, TrainingHistory } from '../../../common/contract/train';
import type { ImageSet } from '../data/load';
import { saveCheckpoint, type CheckpointMeta } from '../model/checkpoint';
import type { ResNet18 } from '../model/resnet';
import { runFiles, writeHistory } from '../runs/store';
import { evaluate, trainEpoch, type BatchReport } from './epoch';
import { testIndices } from './order';
import type { Sgd } from './sgd';

export interface LoopState {
  epochsDone: number;
  bestEpoch: number;
  bestTestAcc: number;
  history: TrainingHistory;
}

export interface LoopIO {
  home: string;
  runId: string;
  signal: AbortSignal;
  onBatch(r: BatchReport): void | Promise<void>;
  /** A step ran out of memory and was redone smaller (oom.ts). */
  onWarn?: (message: string) => void;
  /** After the epoch's files are written. */
  onEpoch(entry: HistoryEntry, state: LoopState): void | Promise<void>;
}

/** Whether epoch (1-based) keeps its own checkpoints/epoch-NNN. */
export function keepsEpochCheckpoint(
  c: Pick<TrainConfig, 'checkpointEvery' | 'epochs'>,
  epoch: number,
): boolean {
  return epoch % c.checkpointEvery === 0 || epoch === c.epochs;
}

export async function runLoop(
  model: ResNet18,
  opt: Sgd,
  data: { train: ImageSet; test: ImageSet },
  c: TrainConfig,
  initial: LoopState,
  io: LoopIO,
): Promise<LoopState> {
  const state: LoopState = {
    ...initial,
    history: { ...initial.history, epochs: [...initial.history.epochs] },
  };
  const files = runFiles(io.home, io.runId);
  const tests = testIndices(c, data.test.n);
  for (let e = state.epochsDone; e < c.epochs; e++) {
    const start = performance.now();
    const tr = await trainEpoch(model, opt, data.train, c, e, {
      signal: io.signal,
      onBatch: io.onBatch,
      onWarn: io.onWarn,
    });
    const te = await evaluate(model, data.test, tests, c.microBatch ?? c.batchSize, io.signal);
    const epoch = e + 1;
    const entry: HistoryEntry = {
      epoch,
      trainLoss: tr.loss,
      trainAcc: tr.acc,
      testLoss: te.loss,
      testAcc: te.acc,
      lr: tr.lr,
      seconds: (performance.now() - start) / 1000,
      imagesPerSecond: tr.images / tr.seconds,
    };
    state.history.epochs.push(entry);
    await writeHistory(io.home, io.runId, state.history);

    const improved = state.bestEpoch === 0 || te.acc > state.bestTestAcc;
    if (improved) Object.assign(state, { bestEpoch: epoch, bestTestAcc: te.acc });
    const meta: CheckpointMeta = {
      epoch,
      width: c.width,
      numClasses: model.config.numClasses,
      runId: io.runId,
      testAcc: te.acc,
      bestEpoch: state.bestEpoch,
      bestTestAcc: state.bestTestAcc,
    };
    if (improved) await saveCheckpoint(files.checkpoint('best'), model, null, meta);
    if (keepsEpochCheckpoint(c, epoch)) await saveCheckpoint(files.checkpoint(epoch), model, null, meta);
    await saveCheckpoint(files.checkpoint('last'), model, opt, meta);
    state.epochsDone = epoch;
    await io.onEpoch(entry, state);
  }
  return state;
}
