// Starting a training job and settling its run afterwards, shared by train.start, train.resume and the tests.
// A worker that dies hard (process.exit, out of memory) cannot write its own manifest: the main side does it
// when the job ends, so the run shows 'failed' with the job's error instead of a stale 'running'.
import type { JobInfo } from '../../common/contract/jobs';
import { OodlabError } from '../../common/contract/errors';
import { HEARTBEAT_MS } from '../engine/runs/liveness';
import type { RunLock } from '../engine/runs/lock';
import { readManifest, updateManifest } from '../engine/runs/store';
import type { TrainTaskParams } from '../engine/train/task';
import type { ApiContext } from './context';

/** Runs a job of this process is training right now, or will as soon as a slot frees up. */
export function activeRunIds(ctx: Pick<ApiContext, 'jobs'>): Set<string> {
  return new Set(
    ctx.jobs
      .list()
      .filter((j) => (j.state === 'running' || j.state === 'queued') && j.runId)
      .map((j) => j.runId as string),
  );
}

/**
 * Starts the job under the run's lock (main/engine/runs/lock.ts, taken by the caller): the lock is refreshed while the
 * job runs and released once the run is settled, so no other process can train the run meanwhile.
 */
export function startTrainJob(
  ctx: ApiContext,
  params: TrainTaskParams,
  title: string,
  lock: RunLock,
): JobInfo {
  if (activeRunIds(ctx).has(params.runId))
    throw new OodlabError('conflict', `Run ${params.runId} is already being trained.`);
  const job = ctx.jobs.start({ kind: 'train', title, params, runId: params.runId });
  const beat = setInterval(() => void lock.touch(), HEARTBEAT_MS);
  beat.unref();
  void ctx.jobs
    .wait(job.id)
    .then((end) => settleRun(ctx, params.runId, end))
    .finally(() => {
      clearInterval(beat);
      return lock.release().catch(() => undefined);
    });
  return job;
}

/** After the job: a manifest still 'running' (and no newer job of ours on it) gets the job's end state. */
export async function settleRun(ctx: ApiContext, runId: string, end: JobInfo): Promise<void> {
  try {
    const m = await readManifest(ctx.home, runId);
    if (m.state !== 'running' || activeRunIds(ctx).has(runId)) return; // settled, or being trained again
    const state = end.state === 'running' || end.state === 'queued' ? 'failed' : end.state;
    const error =
      end.error ??
      (state === 'failed' ? { code: 'failed', message: 'The job ended unexpectedly.' } : undefined);
    ctx.bus.emit('run.update', await updateManifest(ctx.home, runId, { state, error, owner: undefined }));
  } catch {
    // the run was deleted meanwhile: nothing to settle
  }
}
