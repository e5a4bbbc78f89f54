// Starting a training job and settling its run afterwards, shared by train.start, train.resume and the tests.
// A worker that dies hard (process.exit, out of memory) cannot write its own manifest: the main side does it
// when the job ends, so the run shows 'failed' with the job's error instead of a stale 'running'.
import type { JobInfo } from '../../common/contract/jobs';
import { OodlabError } from '../../common/contract/errors';
import { readManifest, updateManifest } from '../engine/runs/store';
import type { TrainTaskParams } from '../engine/train/task';
import type { ApiContext } from './context';

/** Runs a job of this process is training right now. */
export function activeRunIds(ctx: Pick<ApiContext, 'jobs'>): Set<string> {
  return new Set(
    ctx.jobs
      .list()
      .filter((j) => j.state === 'running' && j.runId)
      .map((j) => j.runId as string),
  );
}

export function startTrainJob(ctx: ApiContext, params: TrainTaskParams, title: string): JobInfo {
  if (activeRunIds(ctx).has(params.runId))
    throw new OodlabError('conflict', `Run ${params.runId} is already being trained.`);
  const job = ctx.jobs.start({ kind: 'train', title, params, runId: params.runId });
  void ctx.jobs.wait(job.id).then((end) => settleRun(ctx, params.runId, end));
  return job;
}

/** After the job: a manifest still 'running' (and no newer job of ours on it) gets the job's end state. */
export async function settleRun(ctx: ApiContext, runId: string, end: JobInfo): Promise<void> {
  try {
    const m = await readManifest(ctx.home, runId);
    if (m.state !== 'running' || activeRunIds(ctx).has(runId)) return; // settled, or being trained again
    const state = end.state === 'running' ? 'failed' : end.state;
    const error =
      end.error ??
      (state === 'failed' ? { code: 'failed', message: 'The job ended unexpectedly.' } : undefined);
    ctx.bus.emit('run.update', await updateManifest(ctx.home, runId, { state, error, owner: undefined }));
  } catch {
    // the run was deleted meanwhile: nothing to settle
  }
}
