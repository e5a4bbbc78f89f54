// `oodlab analyze`: Neural Collapse of a run (the same job the Collapse page starts, followed through its pushed
// events), or of a folder of .npy features made elsewhere (computed here; no run, no job).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobInfo } from '../../../common/contract/jobs';
import type { NcResults } from '../../../common/contract/nc';
import { analyzeFeatureDir } from '../../engine/nc/analyze';
import { createRuntime } from '../../runtime';
import { formatDuration, progressBar } from '../format';
import type { Command } from '../io';
import { formatNcResults } from '../nc-print';

const usage =
  'oodlab analyze RUN [--epochs] [--layers] [--checkpoint best|last|N] [--backend NAME] [--centring sample|classes] [--json]\n' +
  '       oodlab analyze --features DIR [--centring sample|classes] [--json]\n' +
  '  --centring: class means centred on the mean of all samples (sample, default) or of the class means\n' +
  "             (classes, with the unbiased std in equinorm, as Papyan et al.'s code); they differ for imbalanced classes";

export const analyze: Command = {
  summary: 'Measure Neural Collapse (NC1–NC5, per epoch, per layer) of a run or of a folder of .npy features',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        epochs: { type: 'boolean', default: false },
        layers: { type: 'boolean', default: false },
        checkpoint: { type: 'string' },
        backend: { type: 'string' },
        features: { type: 'string' },
        json: { type: 'boolean', default: false },
        centring: { type: 'string', default: 'sample' },
      },
    });
    const centring = values.centring;
    if (centring !== 'sample' && centring !== 'classes')
      throw new Error(`--centring must be sample or classes, not '${centring}'\nusage: ${usage}`);
    const print = (r: NcResults) => io.out(values.json ? JSON.stringify(r, null, 2) : formatNcResults(r));
    if (values.features) {
      if (positionals.length) throw new Error(`give either RUN or --features DIR\nusage: ${usage}`);
      print(
        await analyzeFeatureDir(resolve(values.features), {
          layers: true,
          centring,
          onWarn: (message) => io.err(`warning: ${message}`),
        }),
      );
      return 0;
    }
    const runId = positionals[0];
    if (!runId || positionals.length > 1) throw new Error(`give one run id\nusage: ${usage}`);
    const cp = values.checkpoint;
    const rt = createRuntime({ mode: 'browser' });
    const res = await rt.api.call('nc.analyze', {
      runId,
      epochs: values.epochs,
      layers: values.layers,
      centring,
      ...(cp ? { checkpoint: /^\d+$/.test(cp) ? Number(cp) : cp } : {}),
      ...(values.backend ? { backend: values.backend } : {}),
    });
    if (res.error) {
      io.err(`error: ${res.error.message}`);
      return 1;
    }
    const job = res.result as JobInfo;
    const end = await follow(rt, io, job, !values.json);
    if (end.state !== 'done') {
      io.err(
        end.state === 'cancelled'
          ? 'cancelled (finished checkpoints are cached)'
          : `error: ${end.error?.message}`,
      );
      return end.state === 'cancelled' ? 130 : 1;
    }
    const out = await rt.api.call('nc.results', { runId });
    if (out.error) {
      io.err(`error: ${out.error.message}`);
      return 1;
    }
    print(out.result as NcResults);
    return 0;
  },
};

/** Progress on stderr (a bar on a terminal), so that stdout stays clean for --json. */
async function follow(
  rt: ReturnType<typeof createRuntime>,
  io: Parameters<Command['run']>[1],
  job: JobInfo,
  epochs: boolean,
) {
  let lastPlain = 0;
  const unsubscribe = rt.bus.subscribe((channel, payload) => {
    if (channel === 'nc.epoch' && epochs) {
      const e = payload as { jobId: string; epoch: number; metrics: NcResults['final'] };
      if (e.jobId === job.id)
        io.err(
          `epoch ${String(e.epoch).padStart(3)}  NC1 ${e.metrics.nc1.toPrecision(4)}  NC5 ${(e.metrics.nc5 * 100).toFixed(2)}%`,
        );
    } else if (channel === 'job.log') {
      const l = payload as { jobId: string; level: string; message: string };
      if (l.jobId === job.id && l.level !== 'info') io.err(`${l.level}: ${l.message}`);
    } else if (channel === 'job.update') {
      const j = payload as JobInfo;
      if (j.id !== job.id || j.state !== 'running' || !j.progress) return;
      const eta = j.progress.etaSeconds ? `  eta ${formatDuration(j.progress.etaSeconds)}` : '';
      if (Date.now() - lastPlain < (io.tty ? 2000 : 10_000)) return;
      lastPlain = Date.now();
      io.err(`${progressBar(j.progress.fraction ?? 0)}  ${j.progress.message}${eta}`);
    }
  });
  const onSignal = () => void rt.api.call('jobs.cancel', { id: job.id });
  process.once('SIGINT', onSignal);
  try {
    return await rt.jobs.wait(job.id);
  } finally {
    process.off('SIGINT', onSignal);
    unsubscribe();
  }
}
