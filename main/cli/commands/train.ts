import { TrainResult } from '../../../common/contract/train';
import { cliRuntime, invokeArgs, resultOf } from '../client';
import { cancelJob } from '../follow-job';
import type { Command } from '../io';
import { askTerminal, promptOnLongRun } from '../long-run';
import { onStopSignals } from '../stop-signals';
import { parseTrainArgs, trainUsage } from '../train-args';
import { watchTraining } from '../train-watch';

export const train: Command = {
  summary: 'Train a ResNet-18 (a preset, flags or a config file); Ctrl-C stops it resumably',
  usage: `${trainUsage}\n       --yes: keep training without asking when the run needs more than a day here`,
  async run(argv, io) {
    // --yes: keep training without asking when the run turns out to need more than a day (long-run.ts).
    const yes = argv.includes('--yes');
    const args = await parseTrainArgs(argv.filter((a) => a !== '--yes'));
    const rt = cliRuntime();
    const { runId, job } =
      'resume' in args
        ? await invokeArgs(rt.api, 'train.resume', args.resume)
        : await invokeArgs(rt.api, 'train.start', args.start);
    io.out(`Run ${runId}  (folder ${rt.ctx.home}/runs/${runId})`);

    // First Ctrl-C: cancel at the next batch, leaving the run resumable. Second: leave at once.
    let interrupts = 0;
    const onSigint = () => {
      if (++interrupts > 1) process.exit(130);
      io.err('Stopping after the current batch (Ctrl-C again to quit at once)...');
      cancelJob(rt.api, job.id);
    };
    process.on('SIGINT', onSigint);
    // SIGTERM / SIGUSR1 (a batch system stopping or warning the job): the same resumable stop, once.
    const offStop = onStopSignals((sig) => {
      io.err(`${sig}: stopping after the current batch; the run stays resumable.`);
      cancelJob(rt.api, job.id);
    });
    const interactive = !yes && io.tty && Boolean(process.stdin.isTTY);
    const stopAsking = interactive ? promptOnLongRun(rt.api, job.id, askTerminal) : () => undefined;
    try {
      const end = await watchTraining(rt, io, job, runId);
      if (end.state === 'done') {
        const r = resultOf(end, TrainResult);
        io.out(
          `Done: ${r.epochsDone} epochs, best test accuracy ${(r.bestTestAcc * 100).toFixed(2)}% at epoch ${r.bestEpoch}.`,
        );
        return 0;
      }
      if (end.state === 'cancelled') {
        io.out(`Stopped. Resume with: oodlab train --resume ${runId}`);
        return 130;
      }
      io.err(`Training failed: ${end.error?.message ?? 'unknown error'}`);
      const run = await rt.api.invoke('runs.get', { id: runId }).catch(() => null);
      const done = run?.manifest.epochsDone ?? 0;
      if (done > 0)
        io.err(`Checkpoints up to epoch ${done} are kept; resume with: oodlab train --resume ${runId}`);
      return 1;
    } finally {
      stopAsking();
      process.off('SIGINT', onSigint);
      offStop();
    }
  },
};
