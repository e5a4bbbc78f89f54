// The epoch loop: train, evaluate, append to training_history.json, keep checkpoints. The order of writes makes every
// stop point resumable: history first, then best / epoch-NNN, then `last` (the resume point); on resume the history
// is cut back to `last`'s epoch. A stop between batches also saves checkpoints/interrupted (interrupt.ts), from
// which the epoch continues at its next batch.
import type { HistoryEntry, TrainConfig, TrainingHistory } from '../../../common/contract/train';
import type { ImageSet } from '../data/load';
import { saveCheckpoint, type CheckpointMeta } from '../model/checkpoint';
import type { ResNet18 } from '../model/resnet';
import { runFiles, writeHistory } from '../runs/store';
import type { TrainEngine } from './engine';
import { EpochInterrupted, evaluate, trainEpoch, type BatchReport, type EpochProgress } from './epoch';
import { clearInterrupted, saveInterrupted } from './interrupt';
import { testIndices, trainValSplit } from './order';
import type { Sgd } from './sgd';

export interface LoopState {
  epochsDone: number;
  bestEpoch: number;
  bestTestAcc: number;
  /** Accuracy that chose bestEpoch: on the validation split, or on the test set when the run has none. */
  bestScore: number;
  history: TrainingHistory;
  /** Progress into epoch epochsDone + 1, restored from checkpoints/interrupted. */
  partial?: EpochProgress;
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
  /** What runs the training steps (engine.ts); tfjs on the current backend when absent. */
  engine?: TrainEngine;
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
  const split = trainValSplit(c, data.train.n);
  const evalBatch = c.microBatch ?? c.batchSize;
  const partialMeta = (progress: EpochProgress): Promise<void> =>
    saveInterrupted(
      io.home,
      io.runId,
      model,
      opt,
      {
        epoch: state.epochsDone,
        width: c.width,
        numClasses: model.config.numClasses,
        runId: io.runId,
        bestEpoch: state.bestEpoch,
        bestTestAcc: state.bestTestAcc,
        bestScore: state.bestScore,
      },
      progress,
    );
  for (let e = state.epochsDone; e < c.epochs; e++) {
    const from = e === initial.epochsDone ? initial.partial : undefined;
    const start = performance.now() - (from?.seconds ?? 0) * 1000;
    let tr;
    try {
      tr = await trainEpoch(model, opt, data.train, split.train, c, e, {
        signal: io.signal,
        onBatch: io.onBatch,
        onWarn: io.onWarn,
        from,
        engine: io.engine,
      });
    } catch (err) {
      if (err instanceof EpochInterrupted) await partialMeta(err.progress);
      throw err;
    }
    let te;
    let va;
    try {
      if (split.val.length)
        va = await evaluate(model, data.train, split.val, evalBatch, io.signal, io.engine);
      te = await evaluate(model, data.test, tests, evalBatch, io.signal, io.engine);
    } catch (err) {
      if (io.signal.aborted) await partialMeta(tr.progress);
      throw err;
    }
    const epoch = e + 1;
    const entry: HistoryEntry = {
      epoch,
      trainLoss: tr.loss,
      trainAcc: tr.acc,
      testLoss: te.loss,
      testAcc: te.acc,
      ...(va && { valLoss: va.loss, valAcc: va.acc }),
      lr: tr.lr,
      seconds: (performance.now() - start) / 1000,
      imagesPerSecond: tr.images / tr.seconds,
    };
    state.history.epochs.push(entry);
    await writeHistory(io.home, io.runId, state.history);

    // The best checkpoint is chosen on the validation split when there is one; the test set then only reports.
    const score = va ? va.acc : te.acc;
    const improved = state.bestEpoch === 0 || score > state.bestScore;
    if (improved) Object.assign(state, { bestEpoch: epoch, bestTestAcc: te.acc, bestScore: score });
    const meta: CheckpointMeta = {
      epoch,
      width: c.width,
      numClasses: model.config.numClasses,
      runId: io.runId,
      testAcc: te.acc,
      bestEpoch: state.bestEpoch,
      bestTestAcc: state.bestTestAcc,
      bestScore: state.bestScore,
      bestChosenBy: va ? 'validation' : 'test',
      ...(va && { valAcc: va.acc }),
    };
    if (improved) await saveCheckpoint(files.checkpoint('best'), model, null, meta);
    if (keepsEpochCheckpoint(c, epoch)) await saveCheckpoint(files.checkpoint(epoch), model, null, meta);
    await saveCheckpoint(files.checkpoint('last'), model, opt, meta);
    await clearInterrupted(io.home, io.runId);
    state.epochsDone = epoch;
    state.partial = undefined;
    await io.onEpoch(entry, state);
  }
  return state;
}
