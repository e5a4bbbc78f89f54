// Every job this host knows, kept current by 'job.update' and 'job.log', so pages can come and go while jobs run.
import type { JobInfo, JobKind, JobLog } from '../../../../common/contract';

/** Lines of log kept per job: enough to read a long run's tail without growing without bound. */
const LOG_LINES = 500;

export const jobs = $state<{ byId: Record<string, JobInfo>; logs: Record<string, JobLog[]> }>({
  byId: {},
  logs: {},
});

export function putJob(j: JobInfo): void {
  jobs.byId[j.id] = j;
}

export function putLog(l: JobLog): void {
  const lines = (jobs.logs[l.jobId] ??= []);
  lines.push(l);
  if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
}

/** The newest job of a kind, optionally for one run (job ids sort by start time only via startedAt). */
export function latestJob(kind: JobKind, runId?: string): JobInfo | undefined {
  let best: JobInfo | undefined;
  for (const j of Object.values(jobs.byId))
    if (
      j.kind === kind &&
      (runId === undefined || j.runId === runId) &&
      (!best || j.startedAt > best.startedAt)
    )
      best = j;
  return best;
}

export function runningJobs(): JobInfo[] {
  return Object.values(jobs.byId).filter((j) => j.state === 'running' || j.state === 'queued');
}
