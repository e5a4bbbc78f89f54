// `oodlab evaluate`: the OOD detectors (twenty, or any subset with --methods) on a run's features (extracted first when not cached) or on a folder of
// .npy features made elsewhere; the same 'ood' job the OOD page starts, followed through its pushed events.
import { resolve } from 'node:path';
import { OodEpochs, OodMethod, OodParams, OodResults } from '../../../common/contract/ood';
import { oodEpochPoints } from '../../../common/charts/ood-epochs';
import { groupMeans } from '../../../common/ood/groups';
import { checkpointArg, command, shared, strings } from '../args';
import { cliRuntime, invokeArgs, resultOf } from '../client';
import { table } from '../format';
import { followJob } from '../follow-job';

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

export const evaluate = command({
  summary:
    'Score the twenty OOD detectors (MSP ... ViM, NECO, KNN, ReAct, ... NCI) on a run or .npy features',
  usage,
  options: {
    ...shared.json,
    ...shared.checkpoint,
    ...shared.backend,
    ...shared.features,
    ...strings('methods', 'datasets', 'scores', 'validation-ood', ...paramKeys),
    'no-sweep': { type: 'boolean', default: false },
    epochs: { type: 'boolean', default: false },
  },
  positionals: true,
  async run({ values, positionals }, io) {
    if (Boolean(values.features) === Boolean(positionals[0]) || positionals.length > 1)
      throw new Error(`give one run id or --features DIR\nusage: ${usage}`);
    const methods = list(values.methods)?.map((m) => OodMethod.parse(m));
    const params = Object.fromEntries(
      paramKeys.map((k) => [k, num(values[k])]).filter(([, v]) => v !== undefined),
    );
    const bad = paramKeys.find((k) => values[k] !== undefined && !Number.isFinite(num(values[k])));
    if (bad) throw new Error(`--${bad}: ${values[bad]} is not a number\nusage: ${usage}`);
    const rt = cliRuntime();
    const job = await invokeArgs(rt.api, 'ood.evaluate', {
      ...(values.features ? { featuresDir: resolve(values.features) } : { runId: positionals[0] }),
      methods,
      datasets: list(values.datasets),
      checkpoint: checkpointArg(values.checkpoint),
      backend: values.backend || undefined,
      params: Object.keys(params).length ? params : undefined,
      noSweep: values['no-sweep'] || undefined,
      scoresDir: values.scores ? resolve(values.scores) : undefined,
      epochs: values.epochs || undefined,
      validationOod: values['validation-ood'] || undefined,
    });
    // Progress on stderr, so that stdout stays clean for --json.
    const end = await followJob(rt, io, job, { stderr: true });
    if (end.state !== 'done') {
      io.err(end.state === 'cancelled' ? 'cancelled' : `error: ${end.error?.message}`);
      return end.state === 'cancelled' ? 130 : 1;
    }
    if (values.json) io.out(JSON.stringify(end.result, null, 2));
    else if (values.epochs) io.out(formatOodEpochs(resultOf(end, OodEpochs)));
    else io.out(formatOodResults(resultOf(end, OodResults)));
    return 0;
  },
});
