// Follows a training job from the terminal (followJob): one line per epoch, the backend and training engine it runs
// on, warnings from the job's log, and progress in a log at most every 30 s.
import type { JobInfo } from '../../common/contract/jobs';
import type { CliRuntime } from './client';
import { formatDuration } from './format';
import { followJob } from './follow-job';
import type { CliIO } from './io';

export function watchTraining(rt: CliRuntime, io: CliIO, job: JobInfo, runId: string): Promise<JobInfo> {
  return followJob(rt, io, job, {
    plainEveryMs: 30_000,
    log: (l) =>
      l.level !== 'info'
        ? `${l.level}: ${l.message}`
        : /^(Backend|Training steps|Resuming)/.test(l.message)
          ? l.message
          : undefined,
    lines: (api, print) =>
      api.on('train.epoch', ({ runId: id, entry: e }) => {
        if (id !== runId) return;
        print(
          `epoch ${String(e.epoch).padStart(3)}  train loss ${e.trainLoss.toFixed(4)} acc ${(e.trainAcc * 100).toFixed(2)}%  ` +
            `test loss ${e.testLoss.toFixed(4)} acc ${(e.testAcc * 100).toFixed(2)}%  lr ${e.lr.toPrecision(3)}  ` +
            `${e.imagesPerSecond.toFixed(0)} img/s  ${formatDuration(e.seconds)}`,
        );
      }),
  });
}
