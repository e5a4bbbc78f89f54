// One training epoch and one evaluation pass. The caller learns about every batch through a callback and stops the
// loop through the AbortSignal (tfjs-examples' onBatchEnd / stopTraining pattern); tensors are freed per batch.
import { withMemoryRetry } from './oom';
import { OodlabError } from '../../../common/contract/errors';
import type { TrainConfig } from '../../../common/contract/train';
import { makeBatch } from '../data/augment';
import type { ImageSet } from '../data/load';
import { mulberry32 } from '../data/rng';
import type { ResNet18 } from '../model/resnet';
import { TfjsEngine, type TrainEngine } from './engine';
import { epochIndices, stepsPerEpoch, streamSeed } from './order';
import { learningRate } from './schedule';
import type { Sgd } from './sgd';

export interface BatchReport {
  epoch: number; // 1-based
  batch: number; // 1-based
  batches: number;
  loss: number;
  acc: number;
  lr: number;
  imagesPerSecond: number;
}

export interface EpochResult {
  loss: number;
  acc: number;
  lr: number;
  images: number;
  seconds: number;
  /** Where the epoch ended, in the form a mid-epoch checkpoint keeps. */
  progress: EpochProgress;
}

/** How far a 0-based epoch got: batches done, running sums, and augmentation draws (the generator's position). */
export interface EpochProgress {
  batch: number;
  lossSum: number;
  correct: number;
  images: number;
  seconds: number;
  draws: number;
}

/** A stop between batches (cancel, SIGTERM): carries the epoch's progress so that it can continue later. */
export class EpochInterrupted extends OodlabError {
  constructor(
    readonly epoch: number,
    readonly progress: EpochProgress,
  ) {
    super('cancelled', `Cancelled during epoch ${epoch + 1}, batch ${progress.batch + 1}.`);
  }
}

/** mulberry32's state advances by this constant per draw, so its position after n draws is seed + n * step. */
const MULBERRY_STEP = 0x6d2b79f5;

/** The epoch's augmentation generator, positioned after `draws` draws, counting the draws it makes. */
function augmentRng(seed: number, draws: number) {
  const base = mulberry32((seed + Math.imul(draws, MULBERRY_STEP)) >>> 0);
  const counter = { draws, next: () => (counter.draws++, base()) };
  return counter;
}

interface EpochOptions {
  signal: AbortSignal;
  onBatch(r: BatchReport): void | Promise<void>;
  from?: EpochProgress;
  /** Hears when a step ran out of memory and was redone with a smaller micro-batch (oom.ts). */
  onWarn?: (message: string) => void;
}

/**
 * Trains one epoch (0-based `epoch`) on the images of `pool` (indices into `set`: the training set less its
 * validation split); throws 'cancelled' between batches and 'failed' on a non-finite loss. The steps run through
 * o.engine (engine.ts; tfjs on the current backend by default), whose state is written back into model and opt
 * when the epoch ends, however it ends.
 */
export async function trainEpoch(
  model: ResNet18,
  opt: Sgd,
  set: ImageSet,
  pool: Uint32Array,
  c: TrainConfig,
  epoch: number,
  o: EpochOptions & { engine?: TrainEngine },
): Promise<EpochResult> {
  const engine = o.engine ?? new TfjsEngine(model, opt);
  try {
    return await epochSteps(engine, opt, set, pool, c, epoch, o);
  } finally {
    engine.sync();
  }
}

async function epochSteps(
  engine: TrainEngine,
  opt: Sgd,
  set: ImageSet,
  pool: Uint32Array,
  c: TrainConfig,
  epoch: number,
  o: EpochOptions,
): Promise<EpochResult> {
  let micro = c.microBatch ?? c.batchSize;
  const indices = epochIndices(c, pool, epoch);
  const steps = stepsPerEpoch(c, pool.length);
  const from = o.from;
  const aug = augmentRng(streamSeed(c.seed, epoch, 'augment'), from?.draws ?? 0);
  const rng = aug.next;
  const start = performance.now() - (from?.seconds ?? 0) * 1000;
  let lossSum = from?.lossSum ?? 0;
  let correct = from?.correct ?? 0;
  let images = from?.images ?? 0;
  const progress = (batch: number): EpochProgress => ({
    batch,
    lossSum,
    correct,
    images,
    seconds: (performance.now() - start) / 1000,
    draws: aug.draws,
  });
  // Stopped during the epoch's evaluation: the training part is done; the lr is the last batch's.
  if (from && from.batch >= steps) opt.lr = learningRate(c, epoch * steps + steps - 1, steps);
  for (let b = from?.batch ?? 0; b < steps; b++) {
    if (o.signal.aborted) throw new EpochInterrupted(epoch, progress(b));
    opt.lr = learningRate(c, epoch * steps + b, steps);
    const idx = indices.subarray(b * c.batchSize, (b + 1) * c.batchSize);
    const batch = makeBatch(set, idx, { augment: c.augment, rng });
    const done = await withMemoryRetry(
      Math.min(micro, idx.length),
      (m) => engine.step(batch, { labelSmoothing: c.labelSmoothing, microBatch: m }),
      (message) => o.onWarn?.(message),
    );
    const r = done.result;
    micro = Math.min(micro, done.micro);
    if (!Number.isFinite(r.loss))
      throw new OodlabError(
        'failed',
        `The training loss became ${r.loss} at epoch ${epoch + 1}, batch ${b + 1} (learning rate ${opt.lr.toPrecision(3)}). ` +
          'Training stopped; checkpoints/last holds the last good epoch. Try a lower learning rate or a longer warm-up.',
      );
    lossSum += r.loss * idx.length;
    correct += r.correct;
    images += idx.length;
    const seconds = (performance.now() - start) / 1000;
    await o.onBatch({
      epoch: epoch + 1,
      batch: b + 1,
      batches: steps,
      loss: r.loss,
      acc: r.correct / idx.length,
      lr: opt.lr,
      imagesPerSecond: images / seconds,
    });
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    loss: lossSum / images,
    acc: correct / images,
    lr: opt.lr,
    images,
    seconds,
    progress: progress(steps),
  };
}

/** Mean cross-entropy and accuracy of the model (inference mode) on the given images, through the engine. */
export async function evaluate(
  model: ResNet18,
  set: ImageSet,
  indices: Uint32Array,
  batchSize: number,
  signal: AbortSignal,
  engine: TrainEngine = new TfjsEngine(model),
): Promise<{ loss: number; acc: number }> {
  let lossSum = 0;
  let correct = 0;
  for (let s = 0; s < indices.length; s += batchSize) {
    if (signal.aborted) throw new OodlabError('cancelled', 'Cancelled during evaluation.');
    const r = await engine.evaluate(makeBatch(set, indices.subarray(s, s + batchSize), { augment: false }));
    lossSum += r.lossSum;
    correct += r.correct;
  }
  return { loss: lossSum / indices.length, acc: correct / indices.length };
}
