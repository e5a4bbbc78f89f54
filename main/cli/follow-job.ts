// Follows any job from the terminal through the pushed job.update events: a bar redrawn in place on a tty, a line
// every few seconds (or when the step changes) otherwise, so CI logs stay short. Used by export and pipeline.
import type { JobInfo } from '../../common/contract/jobs';
import type { Runtime } from '../runtime';
import { formatDuration, progressBar } from './format';
import type { CliIO } from './io';

const PLAIN_EVERY_MS = 10_000;

/** What a queued job prints (main/jobs/limits.ts). */
export const QUEUED =
  'Queued: another job of this kind is running on this machine; this one starts when it ends (OODLAB_JOB_LIMITS).';

export async function followJob(rt: Runtime, io: CliIO, job: JobInfo, label = ''): Promise<JobInfo> {
  let lastPlain = 0;
  let lastMessage = '';
  let drawn = false;
  const off = rt.bus.subscribe((channel, payload) => {
    if (channel !== 'job.update') return;
    const j = payload as JobInfo;
    if (j.id === job.id && j.state === 'queued') io.out(`${label}${QUEUED}`);
    if (j.id !== job.id || j.state !== 'running' || !j.progress) return;
    const eta = j.progress.etaSeconds ? `  eta ${formatDuration(j.progress.etaSeconds)}` : '';
    const line = `${label}${progressBar(j.progress.fraction ?? 0)}  ${j.progress.message}${eta}`;
    if (io.tty) {
      process.stdout.write(`\r\x1b[2K${line.slice(0, (process.stdout.columns || 100) - 1)}`);
      drawn = true;
    } else if (Date.now() - lastPlain >= PLAIN_EVERY_MS || j.progress.message.split(' ')[0] !== lastMessage) {
      io.out(line);
      lastPlain = Date.now();
      lastMessage = j.progress.message.split(' ')[0];
    }
  });
  try {
    return await rt.jobs.wait(job.id);
  } finally {
    off();
    if (drawn) process.stdout.write('\r\x1b[2K');
  }
}
