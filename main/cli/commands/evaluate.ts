// `oodlab evaluate`: the OOD detectors (twenty, or any subset with --methods) on a run's features (extracted first when not cached) or on a folder of
// .npy features made elsewhere; the same 'ood' job the OOD page starts, followed through its pushed events.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobInfo } from '../../../common/contract/jobs';
import { OodMethod, OodParams, type OodEpochs, type OodResults } from '../../../common/contract/ood';
import { oodEpochPoints } from '../../../common/charts/ood-epochs';
import { groupMeans } from '../../../common/ood/groups';
import { createRuntime } from '../../runtime';
import { progressBar, table } from '../format';
import type { CliIO, Command } from '../io';

/** Every hyper-parameter is an option of its own name (--T, --knnK, --reactP...). */
const paramKeys = Object.keys(OodParams.shape) as (keyof OodParams)[];

const usage =
  'oodlab evaluate RUN [--methods msp,vim,knn,...] [--datasets near,far,all,svhn,...] [--checkpoint best|last|N]\n' +
  '                    [--backend B] [--validation-ood SET|proxy] [--no-sweep] [--json] [--scores DIR] [--epochs]\n' +
  `                    [${paramKeys.map((k) => `--${k} n`).join('] [')}]\n` +
  '       oodlab evaluate --features DIR [same options]\n' +
  `methods: ${OodMethod.options.join(', ')}`;

const list = (s?: string) => s?.split(',').map((v) => v.trim()).filter(Boolean); // prettier-ignore
const num = (s?: string) => (s === undefined ? undefined : Number(s));

export function formatOodResults(r: OodResults): string {
  const rows = r.methods.flatMap((m) =>
    Object.entries(m.datasets).map(([set, d]) => [
      m.label,
      set,
      (d.metrics.auroc * 100).toFixed(2),
      (d.metrics.fpr95 * 100).toFixed(2),
      (d.metrics.auprIn * 100).toFixed(2),
      (d.metrics.auprOut * 100).toFixed(2),
      d.metrics.auprInTrapz === undefined ? '-' : (d.metrics.auprInTrapz * 100).toFixed(2),
      d.metrics.auprOutTrapz === undefined ? '-' : (d.metrics.auprOutTrapz * 100).toFixed(2),
      Object.entries(m.params).map(([k, v]) => `${k}=${v}`).join(' ') + (m.paramSource === 'sweep' ? ' (sweep)' : ''), // prettier-ignore
    ]),
  );
  const means = groupMeans(r);
  for (const m of r.methods)
    for (const g of means[m.method])
      rows.push([
        m.label,
        `${g.group} mean (${g.sets.join(', ')})`,
        (g.metrics.auroc * 100).toFixed(2),
        (g.metrics.fpr95 * 100).toFixed(2),
        (g.metrics.auprIn * 100).toFixed(2),
        (g.metrics.auprOut * 100).toFixed(2),
        '',
      ]);
  return [
    `ID train ${r.idTrain}, ID test ${r.idTest}, ${r.dim}-d features, ${r.classes} classes${r.checkpoint ? `, checkpoint ${r.checkpoint}` : ''}`,
    table(
      [
        'method',
        'OOD set',
        'AUROC%',
        'FPR@95%',
        'AUPR-In%',
        'AUPR-Out%',
        'In(trapz)%',
        'Out(trapz)%',
        'params',
      ],
      rows,
    ),
    "FPR@95: fraction of OOD accepted when 95% of ID is accepted (classic); OpenOOD's convention is in --json.",
    "AUPR-In/Out: average precision; (trapz): OpenOOD's trapezoid area under the precision-recall curve.",
    `Validation (hyper-parameters): ID ${r.selection.heldOut}; OOD ${r.selection.proxy}.`,
    ...r.notes.map((n) => `note: ${n}`),
  ].join('\n');
}

/** Epoch x method: AUROC (%) averaged over the OOD sets, as the across-training figure draws it. */
export function formatOodEpochs(e: OodEpochs): string {
  const cols = e.methods.map((m) => oodEpochPoints(e, m.method));
  const rows = e.points.map((p, i) => [p.checkpoint, ...cols.map((c) => c[i][1]?.toFixed(2) ?? '-')]);
  return [
    `Run ${e.runId}: AUROC% at each kept checkpoint, mean over ${e.oodSets.join(', ')} (ood_epochs.json has each set)`,
    table(['checkpoint', ...e.methods.map((m) => m.label)], rows),
  ].join('\n');
}

async function follow(rt: ReturnType<typeof createRuntime>, io: CliIO, job: JobInfo): Promise<JobInfo> {
  const off = rt.bus.subscribe((channel, payload) => {
    if (channel !== 'job.update') return;
    const j = payload as JobInfo;
    if (j.id === job.id && j.progress && io.tty)
      process.stderr.write(
        `\r${progressBar(j.progress.fraction ?? 0)} ${j.progress.message.slice(0, 50).padEnd(50)}`,
      );
  });
  try {
    return await rt.jobs.wait(job.id);
  } finally {
    off();
    if (io.tty) process.stderr.write('\n');
  }
}

export const evaluate: Command = {
  summary:
    'Score the twenty OOD detectors (MSP ... ViM, NECO, KNN, ReAct, ... NCI) on a run or .npy features',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        methods: { type: 'string' },
        datasets: { type: 'string' },
        checkpoint: { type: 'string' },
        backend: { type: 'string' },
        features: { type: 'string' },
        scores: { type: 'string' },
        ...Object.fromEntries(paramKeys.map((k) => [k, { type: 'string' as const }])),
        'validation-ood': { type: 'string' },
        'no-sweep': { type: 'boolean', default: false },
        epochs: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    if (Boolean(values.features) === Boolean(positionals[0]) || positionals.length > 1)
      throw new Error(`give one run id or --features DIR\nusage: ${usage}`);
    const methods = list(values.methods)?.map((m) => OodMethod.parse(m));
    const raw = values as Record<string, string | boolean | undefined>;
    const params = Object.fromEntries(
      paramKeys.map((k) => [k, num(raw[k] as string | undefined)]).filter(([, v]) => v !== undefined),
    );
    for (const [k, v] of Object.entries(params))
      if (!Number.isFinite(v)) throw new Error(`--${k}: ${raw[k]} is not a number\nusage: ${usage}`);
    const cp = values.checkpoint;
    const rt = createRuntime({ mode: 'browser' });
    const res = await rt.api.call('ood.evaluate', {
      ...(values.features ? { featuresDir: resolve(values.features) } : { runId: positionals[0] }),
      ...(methods ? { methods } : {}),
      ...(values.datasets ? { datasets: list(values.datasets) } : {}),
      ...(cp ? { checkpoint: /^\d+$/.test(cp) ? Number(cp) : cp } : {}),
      ...(values.backend ? { backend: values.backend } : {}),
      ...(Object.keys(params).length ? { params } : {}),
      ...(values['no-sweep'] ? { noSweep: true } : {}),
      ...(values.scores ? { scoresDir: resolve(values.scores) } : {}),
      ...(values.epochs ? { epochs: true } : {}),
      ...(values['validation-ood'] ? { validationOod: values['validation-ood'] } : {}),
    });
    if (res.error) {
      io.err(`error: ${res.error.message}`);
      return 1;
    }
    const end = await follow(rt, io, res.result as JobInfo);
    if (end.state !== 'done') {
      io.err(end.state === 'cancelled' ? 'cancelled' : `error: ${end.error?.message}`);
      return end.state === 'cancelled' ? 130 : 1;
    }
    if (values.epochs) {
      const e = end.result as OodEpochs;
      io.out(values.json ? JSON.stringify(e, null, 2) : formatOodEpochs(e));
      return 0;
    }
    const r = end.result as OodResults;
    io.out(values.json ? JSON.stringify(r, null, 2) : formatOodResults(r));
    return 0;
  },
};
