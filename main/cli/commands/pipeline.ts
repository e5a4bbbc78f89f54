// `oodlab pipeline`: the whole study in one command — data, training, OOD evaluation, Neural Collapse, export — by
// calling the same API channels the UI calls, stage after stage. Re-running skips what is done (see
// pipeline-steps.ts), so an interrupted pipeline is continued by running it again. A failed step stops only the steps
// that need it (pipeline-plan.ts); the pipeline then ends non-zero naming it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FigureFormat } from '../../../common/contract/report';
import { BackendChoice } from '../../../common/contract/system';
import { PresetName, TrainConfig } from '../../../common/contract/train';
import { presetConfig } from '../../../common/train/presets';
import { runDir } from '../../engine/runs/store';
import { command, shared, strings } from '../args';
import { cliRuntime } from '../client';
import { cancelJob } from '../follow-job';
import { formatDuration } from '../format';
import { pipelineTable } from '../pipeline-table';
import { ensureNamedRun } from '../named-run';
import { failureLine, runPlan, type PipelineStep } from '../pipeline-plan';
import { ensureDatasets, ensureNc, ensureOod, ensureTrained } from '../pipeline-steps';
import { onStopSignals } from '../stop-signals';
import { runExport } from './export';

const usage =
  'oodlab pipeline [--preset quick|paper|smoke] [--dataset cifar100|cifar10|synthetic|ID] [--backend B] [--epochs N]\n' +
  '                [--out DIR] [--format svg,png] [--seed N] [--config FILE] [--run-id ID] [--name NAME] [--no-download]\n' +
  '                [--run RUN]\n' +
  '  download what is missing, train, evaluate OOD, analyse Neural Collapse, export (default --out: the run folder)\n' +
  '  --run RUN: continue an existing run (an imported model skips training)\n' +
  '  a failed step stops only the steps that need it (OOD and NC need training; export writes what exists);\n' +
  '  the pipeline then exits 1 naming it.\n' +
  '  --run-id: train (or resume, or reuse) the run with this id: what each task of `oodlab cluster submit` runs.\n' +
  '  SIGTERM or SIGUSR1 (SLURM pre-emption or time limit) stops at a checkpoint; the same command resumes.';

export const pipeline = command({
  summary:
    'Run the whole study (data, training, OOD, Neural Collapse, export); re-running skips what is done',
  usage,
  options: {
    ...shared.backend,
    ...shared.out,
    preset: { type: 'string', default: 'quick' },
    ...strings('dataset', 'epochs', 'seed', 'config', 'run-id', 'name', 'run'),
    format: { type: 'string', default: 'svg,png' },
    'no-download': { type: 'boolean', default: false },
  },
  async run({ values }, io) {
    const preset = PresetName.parse(values.preset);
    const backend = BackendChoice.parse(values.backend ?? 'auto');
    const formats = values.format.split(',').map((f) => FigureFormat.parse(f.trim()));
    const overrides = {
      dataset: values.dataset,
      epochs: values.epochs === undefined ? undefined : Number(values.epochs),
      seed: values.seed === undefined ? undefined : Number(values.seed),
      ...(values.backend ? { backend } : {}),
    };
    const fromFile = values.config
      ? TrainConfig.parse(JSON.parse(await readFile(values.config, 'utf8')) as unknown)
      : null;
    const config = fromFile
      ? TrainConfig.parse({
          ...fromFile,
          ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
        })
      : presetConfig(preset, overrides);
    const runName = values.name ?? preset;
    const rt = cliRuntime();
    const t0 = performance.now();

    // Ctrl-C cancels the running job (every stage leaves a resumable state); a second one leaves at once.
    let interrupts = 0;
    const onSigint = () => {
      if (++interrupts > 1) process.exit(130);
      io.err('Stopping the current stage; run the same command again to continue.');
      for (const j of rt.jobs.list())
        if (j.state === 'running' || j.state === 'queued') cancelJob(rt.api, j.id);
    };
    process.on('SIGINT', onSigint);
    // SIGTERM (pre-emption, scancel) and SIGUSR1 (SLURM's warning before the time limit): stop the running stage at
    // its next checkpoint, once, however many times the signal comes (SLURM and the batch script both send it).
    let stoppedBy: NodeJS.Signals | null = null;
    const offStop = onStopSignals((sig) => {
      stoppedBy = sig;
      io.err(`${sig}: stopping the current stage at a checkpoint; the same command resumes it.`);
      for (const j of rt.jobs.list()) if (j.state === 'running') cancelJob(rt.api, j.id);
    });
    const stage = (n: string) => {
      if (stoppedBy) throw new Error(`stopped by ${stoppedBy} before ${n}`);
      io.out(n);
    };
    let run: { id: string } | null = null;
    // --run: an existing run (an imported model, say) that skips training
    const given = values.run ? await rt.api.invoke('runs.get', { id: values.run }) : null;
    const what = given?.manifest.kind === 'imported' ? 'an imported model' : 'an existing run';
    let exported = false;
    const steps: PipelineStep[] = [
      {
        name: 'data',
        needs: [],
        run: () => ensureDatasets(rt, io, given?.config ?? config, !values['no-download']),
      },
      {
        name: 'training',
        needs: ['data'],
        run: async () => {
          if (given) {
            run = given.manifest;
            return;
          }
          const runId = values['run-id'];
          run = runId
            ? await ensureNamedRun(rt, io, config, runName, runId)
            : await ensureTrained(rt, io, config, runName);
        },
      },
      { name: 'OOD', needs: ['training'], run: () => ensureOod(rt, io, run!.id, backend) },
      { name: 'Neural Collapse', needs: ['training'], run: () => ensureNc(rt, io, run!.id, backend) },
      {
        name: 'export',
        needs: ['training'],
        run: async () => {
          const dir = resolve(values.out ?? runDir(rt.ctx.home, run!.id));
          const r = await runExport(rt, io, { runId: run!.id, dir, formats });
          if (!r) throw new Error('the export did not finish (see above)');
          io.out(
            `  ${r.figures.length} figures, summary.json, training_history.json, README.txt in ${r.dir}`,
          );
          exported = true;
        },
      },
    ];
    const titles: Record<string, string> = {
      data: `[1/5] Data (${(given?.config ?? config).dataset})`,
      training: given
        ? `[2/5] Training: skipped (${what})`
        : `[2/5] Training (${fromFile ? values.config : `preset ${preset}`}, ${config.epochs} epochs, ` +
          `width ${config.width}, seed ${config.seed})`,
      OOD: '[3/5] OOD detection',
      'Neural Collapse': '[4/5] Neural Collapse',
      export: '[5/5] Export',
    };
    try {
      const outcomes = await runPlan(steps, {
        before: (s) => stage(titles[s.name]),
        stopping: () => stoppedBy !== null || interrupts > 0,
        report: (o) =>
          io.err(
            o.state === 'failed'
              ? `  ${o.name} failed: ${o.reason}; going on with the steps that do not need it`
              : `  ${titles[o.name]} skipped: ${o.reason}`,
          ),
      });
      if (run && exported) {
        const summary = await rt.api.invoke('report.summary', { runId: (run as { id: string }).id });
        io.out(`\n${pipelineTable(summary)}`);
      }
      const failed = failureLine(outcomes);
      if (failed) {
        io.err(failed);
        return 1;
      }
      io.out(`\nDone in ${formatDuration((performance.now() - t0) / 1000)}.`);
      return 0;
    } catch (err) {
      io.err(`pipeline: ${(err as Error).message}`);
      if (stoppedBy) return 128 + (stoppedBy === 'SIGTERM' ? 15 : 10);
      return interrupts ? 130 : 1;
    } finally {
      process.off('SIGINT', onSigint);
      const running = rt.jobs.list().filter((j) => j.state === 'running');
      await Promise.all(running.map((j) => rt.jobs.wait(j.id)));
      offStop(); // only now: a repeated SIGTERM while the job reaches its checkpoint must not kill the process
    }
  },
});
