// The 'train' job, run inside its own worker thread: picks the backend, loads the data, builds (or restores) model
// and optimiser, runs the loop, and records in the manifest how it ended: done, cancelled (resumable), failed.
import { z } from 'zod';
import { OodlabError, toErrorBody } from '../../../common/contract/errors';
import type { BackendReport } from '../../../common/contract/runs';
import { BackendChoice } from '../../../common/contract/system';
import type { TrainConfig, TrainingHistory } from '../../../common/contract/train';
import type { TaskFn } from '../task';
import { BackendUnavailableError, initBackend } from '../backend';
import { loadImageSet } from '../data/load';
import { ResNet18 } from '../model/resnet';
import { ownerStamp, readRunConfig } from '../runs/store';
import { createEngine, type TrainEngine } from './engine';
import { longRunWarning } from './eta';
import { runLoop, type LoopState } from './loop';
import { resumeState } from './resume';
import { suggestedMicroBatch, trainValSplit } from './order';
import { TrainReporter } from './reporter';
import { Sgd } from './sgd';

export const TrainTaskParams = z.object({
  runId: z.string().min(1),
  resume: z.boolean().default(false),
  /** Overrides the config's backend for this job only (e.g. a resumed run on another machine). */
  backend: BackendChoice.optional(),
  /** Fault injection for the crash-handling tests: fail after this epoch, by throwing or by killing the thread. */
  fault: z.object({ afterEpoch: z.number().int().min(1), kind: z.enum(['throw', 'exit']) }).optional(),
});
export type TrainTaskParams = z.input<typeof TrainTaskParams>;

function freshHistory(
  runId: string,
  c: TrainConfig,
  numClasses: number,
  backend: BackendReport,
): TrainingHistory {
  const { dataset, width, epochs, batchSize, lr, schedule, seed } = c;
  return {
    runId,
    config: { dataset, width, epochs, batchSize, lr, schedule, seed, numClasses, backend: backend.name },
    epochs: [],
  };
}

export const trainTask: TaskFn = async (params, ctx) => {
  const p = TrainTaskParams.parse(params);
  const c = await readRunConfig(ctx.home, p.runId);
  const rep = new TrainReporter(ctx, p.runId, c.epochs);
  let model: ResNet18 | undefined;
  let opt: Sgd | undefined;
  let engine: TrainEngine | undefined;
  try {
    const backend = await initBackend(p.backend ?? c.backend).catch((err: unknown) => {
      throw err instanceof BackendUnavailableError ? new OodlabError('unavailable', err.message) : err;
    });
    ctx.log('info', `Backend: ${backend.name} (${backend.device})`);
    await rep.manifest({
      state: 'running',
      owner: ownerStamp(),
      jobId: ctx.jobId,
      backend,
      error: undefined,
    });
    rep.startHeartbeat();

    const synthetic = c.synthetic && { seed: c.seed, ...c.synthetic };
    const train = await loadImageSet(ctx.home, c.dataset, 'train', synthetic);
    const test = await loadImageSet(ctx.home, c.dataset, 'test', synthetic);
    const numClasses = train.classNames.length;
    model = new ResNet18({ width: c.width, numClasses, seed: c.seed });
    opt = new Sgd({ lr: c.lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay });
    const fresh = freshHistory(p.runId, c, numClasses, backend);
    const state: LoopState = p.resume
      ? await resumeState(ctx.home, p.runId, model, opt, fresh, (level, m) => ctx.log(level, m))
      : { epochsDone: 0, bestEpoch: 0, bestTestAcc: 0, bestScore: 0, history: fresh };
    // After resume: the engine starts from the restored weights, momentum and running statistics.
    engine = await createEngine(model, opt, (m) => ctx.log('warn', m));
    ctx.log('info', `Training steps: ${engine.description}`);
    await rep.manifest({ backend: { ...backend, engine: engine.description } });
    // The recipe must not crash where its full batch cannot fit (tfjs on wasm: a 4 GiB heap): accumulate over
    // micro-batches instead, and say so.
    const micro = engine.name === 'tfjs' ? suggestedMicroBatch(c, backend.name) : undefined;
    if (micro)
      ctx.log(
        'warn',
        `Batch ${c.batchSize} at width ${c.width} does not fit ${backend.name}'s memory in one piece: gradients are ` +
          `accumulated over micro-batches of ${micro} (the same SGD step; batch-norm statistics per micro-batch). ` +
          'Set microBatch to choose another size.',
      );
    const run: TrainConfig = micro ? { ...c, microBatch: micro } : c;
    if (state.partial)
      ctx.log(
        'info',
        `Resuming in epoch ${state.epochsDone + 1} of ${c.epochs} at batch ${state.partial.batch + 1} ` +
          '(checkpoints/interrupted).',
      );
    else if (state.epochsDone > 0)
      ctx.log('info', `Resuming after epoch ${state.epochsDone} of ${c.epochs}.`);

    rep.begin(state.epochsDone);
    let warnedLong = false;
    const end = await runLoop(model, opt, { train, test }, run, state, {
      onWarn: (message) => ctx.log('warn', message),
      engine,
      home: ctx.home,
      runId: p.runId,
      signal: ctx.signal,
      onBatch: (r) => {
        // After a few batches the speed is known: warn once if the whole run needs more than a day.
        if (!warnedLong && r.batch === Math.min(5, r.batches)) {
          warnedLong = true;
          const pool = trainValSplit(c, train.n).train.length;
          const perEpoch = Math.min(c.samplesPerEpoch ?? pool, pool);
          const left = (c.epochs - r.epoch + 1) * perEpoch - r.batch * c.batchSize;
          const warning = longRunWarning(r.imagesPerSecond, left, backend.name);
          if (warning) ctx.log('warn', warning);
        }
        return rep.batch(r);
      },
      onEpoch: async (entry, s) => {
        await rep.epoch(entry, s);
        if (p.fault && entry.epoch === p.fault.afterEpoch) {
          if (p.fault.kind === 'exit') process.exit(3);
          throw new Error(`Injected failure after epoch ${entry.epoch}.`);
        }
      },
    });
    rep.stopHeartbeat();
    await rep.manifest({ state: 'done', owner: undefined });
    return {
      runId: p.runId,
      epochsDone: end.epochsDone,
      bestEpoch: end.bestEpoch,
      bestTestAcc: end.bestTestAcc,
    };
  } catch (err) {
    rep.stopHeartbeat();
    const cancelled = err instanceof OodlabError && err.code === 'cancelled';
    const end = cancelled
      ? { state: 'cancelled' as const }
      : { state: 'failed' as const, error: toErrorBody(err) };
    // Recording the end must not hide why it ended (e.g. when the run folder was removed meanwhile).
    await rep
      .manifest({ ...end, owner: undefined })
      .catch((e: unknown) => ctx.log('warn', `Could not update the manifest: ${toErrorBody(e).message}`));
    throw err;
  } finally {
    engine?.dispose();
    opt?.dispose();
    model?.dispose();
  }
};
