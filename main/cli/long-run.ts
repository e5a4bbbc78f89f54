// `oodlab train` on a terminal: when the job measures that the run needs more than a day (main/engine/train/eta.ts),
// the user is asked whether to go on; no (the default) stops it after the current batch, resumable. `--yes`, or
// output that is not a terminal (scripts, clusters), keeps training: that is the user insisting.
import { createInterface } from 'node:readline/promises';
import type { OodlabApi } from '../../common/contract';
import { cancelJob } from './follow-job';

export const LONG_RUN_PATTERN = /this run needs about \d+ h/;

/** Asks once, when the long-run warning of this job arrives; resolves the answer through `ask`. */
export function promptOnLongRun(
  api: OodlabApi,
  jobId: string,
  ask: (warning: string) => Promise<boolean>,
): () => void {
  let asked = false;
  return api.on('job.log', (l) => {
    if (asked || l.jobId !== jobId || l.level !== 'warn' || !LONG_RUN_PATTERN.test(l.message)) return;
    asked = true;
    void ask(l.message).then((goOn) => {
      if (!goOn) cancelJob(api, jobId);
    });
  });
}

/** y/N on the terminal. */
export async function askTerminal(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question('Keep training anyway? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}
