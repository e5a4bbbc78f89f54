// `oodlab analyze`: Neural Collapse of a run (the same job the Collapse page starts, followed through its pushed
// events), or of a folder of .npy features made elsewhere (computed here; no run, no job).
import { resolve } from 'node:path';
import type { NcResults } from '../../../common/contract/nc';
import { analyzeFeatureDir } from '../../engine/nc/analyze';
import { checkpointArg, command, printResult, shared } from '../args';
import { cliRuntime, invokeArgs } from '../client';
import { followJob, problems } from '../follow-job';
import { formatNcResults } from '../nc-print';

export const analyze = command({
  summary: 'Measure Neural Collapse (NC1–NC5, per epoch, per layer) of a run or of a folder of .npy features',
  usage:
    'oodlab analyze RUN [--epochs] [--layers] [--checkpoint best|last|N] [--backend NAME] [--centring sample|classes] [--json]\n' +
    '       oodlab analyze --features DIR [--centring sample|classes] [--json]\n' +
    '  --centring: class means centred on the mean of all samples (sample, default) or of the class means\n' +
    "             (classes, with the unbiased std in equinorm, as Papyan et al.'s code); they differ for imbalanced classes",
  options: {
    ...shared.json,
    ...shared.checkpoint,
    ...shared.backend,
    ...shared.features,
    epochs: { type: 'boolean', default: false },
    layers: { type: 'boolean', default: false },
    centring: { type: 'string', default: 'sample' },
  },
  positionals: true,
  async run({ values, positionals }, io, usage) {
    const centring = values.centring;
    if (centring !== 'sample' && centring !== 'classes')
      throw new Error(`--centring must be sample or classes, not '${centring}'\nusage: ${usage}`);
    const print = (r: NcResults) => printResult(io, values.json, r, formatNcResults);
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
    const rt = cliRuntime();
    const job = await invokeArgs(rt.api, 'nc.analyze', {
      runId,
      epochs: values.epochs,
      layers: values.layers,
      centring,
      checkpoint: checkpointArg(values.checkpoint),
      backend: values.backend || undefined,
    });
    // Progress on stderr, so that stdout stays clean for --json.
    const end = await followJob(rt, io, job, {
      stderr: true,
      log: problems,
      cancelOnCtrlC: true,
      lines: (api, say) =>
        api.on('nc.epoch', (e) => {
          if (e.jobId === job.id && !values.json)
            say(
              `epoch ${String(e.epoch).padStart(3)}  NC1 ${e.metrics.nc1.toPrecision(4)}  NC5 ${(e.metrics.nc5 * 100).toFixed(2)}%`,
            );
        }),
    });
    if (end.state !== 'done') {
      io.err(
        end.state === 'cancelled'
          ? 'cancelled (finished checkpoints are cached)'
          : `error: ${end.error?.message}`,
      );
      return end.state === 'cancelled' ? 130 : 1;
    }
    print(await rt.api.invoke('nc.results', { runId }));
    return 0;
  },
});
