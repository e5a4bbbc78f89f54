// `oodlab pipeline`: the whole study in one command — data, training, OOD evaluation, Neural Collapse, export — by
// calling the same API channels the UI calls, stage after stage. Re-running skips what is done (see
// pipeline-steps.ts), so an interrupted pipeline is continued by running it again.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobInfo } from '../../../common/contract/jobs';
import { FigureFormat, type Summary } from '../../../common/contract/report';
import { BackendChoice } from '../../../common/contract/system';
import { PresetName } from '../../../common/contract/train';
import { presetConfig } from '../../../common/train/presets';
import { runDir } from '../../engine/runs/store';
import { createRuntime } from '../../runtime';
import { formatDuration } from '../format';
import type { Command } from '../io';
import { pipelineTable } from '../pipeline-table';
import { call, ensureDatasets, ensureNc, ensureOod, ensureTrained } from '../pipeline-steps';
import { runExport } from './export';

const usage =
  'oodlab pipeline [--preset quick|paper|smoke] [--dataset cifar100|synthetic] [--backend B] [--epochs N]\n' +
  '                [--out DIR] [--format svg,png]\n' +
  '  download what is missing, train, evaluate OOD, analyse Neural Collapse, export (default --out: the run folder)';

export const pipeline: Command = {
  summary:
    'Run the whole study (data, training, OOD, Neural Collapse, export); re-running skips what is done',
  usage,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        preset: { type: 'string', default: 'quick' },
        dataset: { type: 'string' },
        backend: { type: 'string' },
        epochs: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string', default: 'svg,png' },
      },
    });
    const preset = PresetName.parse(values.preset);
    const backend = BackendChoice.parse(values.backend ?? 'auto');
    const formats = values.format.split(',').map((f) => FigureFormat.parse(f.trim()));
    const config = presetConfig(preset, {
      dataset: values.dataset,
      epochs: values.epochs === undefined ? undefined : Number(values.epochs),
      ...(values.backend ? { backend } : {}),
    });
    const rt = createRuntime({ mode: 'browser' });
    const t0 = performance.now();

    // Ctrl-C cancels the running job (every stage leaves a resumable state); a second one leaves at once.
    let interrupts = 0;
    const onSigint = () => {
      if (++interrupts > 1) process.exit(130);
      io.err('Stopping the current stage; run the same command again to continue.');
      for (const j of rt.jobs.list())
        if (j.state === 'running' || j.state === 'queued') void rt.api.call('jobs.cancel', { id: j.id });
    };
    process.on('SIGINT', onSigint);
    try {
      io.out(`[1/5] Data (${config.dataset})`);
      await ensureDatasets(rt, io, config);
      io.out(`[2/5] Training (preset ${preset}, ${config.epochs} epochs, width ${config.width})`);
      const run = await ensureTrained(rt, io, config, preset);
      io.out('[3/5] OOD detection');
      await ensureOod(rt, io, run.id, backend);
      io.out('[4/5] Neural Collapse');
      await ensureNc(rt, io, run.id, backend);
      io.out('[5/5] Export');
      const dir = resolve(values.out ?? runDir(rt.ctx.home, run.id));
      const r = await runExport(rt, io, { runId: run.id, dir, formats });
      if (!r) return 1;
      io.out(`  ${r.figures.length} figures, summary.json, training_history.json, README.txt in ${r.dir}`);
      const summary = await call<Summary>(rt, 'report.summary', { runId: run.id });
      io.out(`\n${pipelineTable(summary)}\n\nDone in ${formatDuration((performance.now() - t0) / 1000)}.`);
      return 0;
    } catch (err) {
      io.err(`pipeline: ${(err as Error).message}`);
      return interrupts ? 130 : 1;
    } finally {
      process.off('SIGINT', onSigint);
      const running = rt.jobs.list().filter((j: JobInfo) => j.state === 'running');
      await Promise.all(running.map((j) => rt.jobs.wait(j.id)));
    }
  },
};
