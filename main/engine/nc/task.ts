// The 'nc' job: Neural Collapse of one run inside a worker thread (see run-analysis.ts). Pushes each checkpoint's
// metrics as an 'nc.epoch' event as soon as it is known, so the Collapse page draws the curves live.
import { NcAnalyzeRequest } from '../../../common/contract/nc';
import { OodlabError } from '../../../common/contract';
import type { TaskFn } from '../task';
import { analyzeRun } from './run-analysis';
import { ncFiles } from './results';

export const ncTask: TaskFn = async (params, ctx) => {
  const parsed = NcAnalyzeRequest.safeParse(params);
  if (!parsed.success)
    throw new OodlabError('invalid_request', `Invalid nc job parameters: ${parsed.error.message}`);
  const req = parsed.data;
  const r = await analyzeRun(ctx.home, req, {
    signal: ctx.signal,
    progress: (p) => ctx.progress(p),
    log: (level, message) => ctx.log(level, message),
    onEpoch: (e) =>
      ctx.emit('nc.epoch', { jobId: ctx.jobId, runId: req.runId, epoch: e.epoch, metrics: e.metrics }),
  });
  return {
    resultsPath: ncFiles(ctx.home, req.runId).results,
    nc1: r.final.nc1,
    nc5: r.final.nc5,
    epochs: r.perEpoch.length,
    layers: r.layers.length,
  };
};
