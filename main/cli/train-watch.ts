// Follows a training job from the terminal through the same pushed events the UI gets: a progress bar redrawn in
// place on a tty (plain lines otherwise), one line per epoch, warnings from the job's log.
import { QUEUED } from './follow-job';
import type { JobInfo } from '../../common/contract/jobs';
import type { HistoryEntry } from '../../common/contract/train';
import type { Runtime } from '../runtime';
import { formatDuration, progressBar } from './format';
import type { CliIO } from './io';

/** Plain (non-tty) output repeats progress at most this often. */
const PLAIN_PROGRESS_MS = 30_000;

export function watchTraining(rt: Runtime, io: CliIO, job: JobInfo, runId: string): Promise<JobInfo> {
  let barShown = false;
  let lastPlain = 0;
  const print = (line: string) => {
    // On a terminal the bar is always the last line: clear it, print, let the next update redraw it.
    io.out(barShown ? `\x1b[1A\x1b[2K${line}` : line);
    barShown = false;
  };
  const unsubscribe = rt.bus.subscribe((channel, payload) => {
    if (channel === 'train.epoch') {
      const p = payload as { runId: string; entry: HistoryEntry };
      if (p.runId !== runId) return;
      const e = p.entry;
      print(
        `epoch ${String(e.epoch).padStart(3)}  train loss ${e.trainLoss.toFixed(4)} acc ${(e.trainAcc * 100).toFixed(2)}%  ` +
          `test loss ${e.testLoss.toFixed(4)} acc ${(e.testAcc * 100).toFixed(2)}%  lr ${e.lr.toPrecision(3)}  ` +
          `${e.imagesPerSecond.toFixed(0)} img/s  ${formatDuration(e.seconds)}`,
      );
    } else if (channel === 'job.log') {
      const l = payload as { jobId: string; level: string; message: string };
      if (l.jobId === job.id && l.level !== 'info') print(`${l.level}: ${l.message}`);
      else if (l.jobId === job.id && /^(Backend|Resuming)/.test(l.message)) print(l.message);
    } else if (channel === 'job.update') {
      const j = payload as JobInfo;
      if (j.id === job.id && j.state === 'queued') print(QUEUED);
      if (j.id !== job.id || j.state !== 'running' || !j.progress) return;
      const eta = j.progress.etaSeconds ? `  eta ${formatDuration(j.progress.etaSeconds)}` : '';
      const line = `${progressBar(j.progress.fraction ?? 0)}  ${j.progress.message}${eta}`;
      if (io.tty) {
        io.out(barShown ? `\x1b[1A\x1b[2K${line}` : line);
        barShown = true;
      } else if (Date.now() - lastPlain >= PLAIN_PROGRESS_MS) {
        lastPlain = Date.now();
        io.out(line);
      }
    }
  });
  return rt.jobs.wait(job.id).finally(unsubscribe);
}
