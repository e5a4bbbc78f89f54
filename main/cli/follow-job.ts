// The one way the CLI follows a job: through the same pushed events the UI gets. Progress is a bar redrawn in place
// on a terminal and, in a log (no terminal), a line at most every so often or when the step changes, so CI logs stay
// short. A command adds what is its own: the job's log lines it shows, lines from other events of the job (one per
// epoch), Ctrl-C to cancel, stderr instead of stdout (when stdout carries --json). Returns the job as it ended.
import type { OodlabApi } from '../../common/contract';
import type { JobInfo, JobLog, JobProgress } from '../../common/contract/jobs';
import { formatBytes } from '../../common/format';
import type { CliRuntime } from './client';
import { formatDuration, progressBar } from './format';
import type { CliIO } from './io';

/** What a queued job prints (main/jobs/limits.ts). */
export const QUEUED =
  'Queued: another job of this kind is running on this machine; this one starts when it ends (OODLAB_JOB_LIMITS).';

export interface FollowOptions {
  /** Put before each progress line ('export ', '  ood '). */
  label?: string;
  /** Everything on stderr, so that stdout stays clean for a --json result. */
  stderr?: boolean;
  /** Without a terminal: a progress line at most this often, or when the step (first word) changes. */
  plainEveryMs?: number;
  /** Which of the job's log lines to show, and how (none by default). */
  log?: (l: JobLog) => string | undefined;
  /** Lines from other events of this job (e.g. one per epoch): subscribe with `api`, print with `print`. */
  lines?: (api: OodlabApi, print: (line: string) => void) => () => void;
  /** Ctrl-C cancels the job: it stops at its next batch and stays resumable. */
  cancelOnCtrlC?: boolean;
}

/** Warnings and errors of a job's log, as 'warn: …'. */
export const problems = (l: JobLog): string | undefined =>
  l.level === 'info' ? undefined : `${l.level}: ${l.message}`;

/** Asks the job to stop at its next batch; a job that has ended meanwhile is no error. */
export function cancelJob(api: OodlabApi, id: string): void {
  api.invoke('jobs.cancel', { id }).catch(() => undefined);
}

/** "[####....]  40%  Downloading SVHN  12.0 MiB/30.5 MiB 2.1 MiB/s  eta 0m09s" */
export function progressLine(p: JobProgress, label = ''): string {
  const d = p.detail ?? {};
  const bytes =
    d.bytes !== undefined
      ? `  ${formatBytes(d.bytes)}/${formatBytes(d.total ?? 0)} ${formatBytes(d.rate ?? 0)}/s`
      : '';
  const eta = p.etaSeconds ? `  eta ${formatDuration(p.etaSeconds)}` : '';
  return `${label}${progressBar(p.fraction ?? 0)}  ${p.message}${bytes}${eta}`;
}

export async function followJob(
  rt: CliRuntime,
  io: CliIO,
  job: JobInfo,
  opts: FollowOptions = {},
): Promise<JobInfo> {
  const stream = opts.stderr ? process.stderr : process.stdout;
  const say = (line: string) => (opts.stderr ? io.err(line) : io.out(line));
  const plainEveryMs = opts.plainEveryMs ?? 10_000;
  let drawn = false;
  let lastPlain = 0;
  let lastStep = '';
  // A line that stays: on a terminal, the bar is cleared first and redrawn by the next update.
  const print = (line: string) => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
    say(line);
  };
  const progress = (p: JobProgress) => {
    const line = progressLine(p, opts.label);
    const step = p.message.split(' ')[0];
    if (io.tty) {
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 100) - 1)}`);
      drawn = true;
    } else if (Date.now() - lastPlain >= plainEveryMs || step !== lastStep) {
      say(line);
      lastPlain = Date.now();
      lastStep = step;
    }
  };
  // The job's first update (queued or running) went out before its id came back: read it from the job itself.
  if (job.state === 'queued') print(`${opts.label ?? ''}${QUEUED}`);
  const offs = [
    rt.api.on('job.update', (j) => {
      if (j.id !== job.id) return;
      if (j.state === 'queued') print(`${opts.label ?? ''}${QUEUED}`);
      else if (j.state === 'running' && j.progress) progress(j.progress);
    }),
    rt.api.on('job.log', (l) => {
      const line = l.jobId === job.id ? opts.log?.(l) : undefined;
      if (line !== undefined) print(line);
    }),
    opts.lines?.(rt.api, print) ?? (() => undefined),
  ];
  const onCtrlC = () => cancelJob(rt.api, job.id);
  if (opts.cancelOnCtrlC) process.once('SIGINT', onCtrlC);
  try {
    return await rt.jobs.wait(job.id);
  } finally {
    process.off('SIGINT', onCtrlC);
    for (const off of offs) off();
    if (drawn) stream.write('\r\x1b[2K');
  }
}
