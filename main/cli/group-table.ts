// Terminal tables of a group: its tasks (SLURM state beside training progress, with the log tail of a failed task)
// and its summary (mean ± std over seeds of accuracy, every OOD metric per method and set, near/far, NC1-NC5).
import type { GroupStatus, GroupSummary, Stat } from '../../common/contract/cluster';
import { table } from './format';

/** "71.23 ± 0.45" (percent for fractions), "± --" for one seed. */
export function fmtStat(s: Stat | undefined, percent: boolean): string {
  if (!s) return '--';
  const k = percent ? 100 : 1;
  const d = percent ? 2 : 4;
  const f = (v: number) =>
    !percent && v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)
      ? v.toExponential(2)
      : (v * k).toFixed(d);
  return `${f(s.mean)} ± ${s.std === null ? '--' : f(s.std)}`;
}

export function tasksTable(s: GroupStatus): string {
  const g = s.group;
  const head =
    `Group ${g.id}: ${g.preset} on ${g.config.dataset}, ${g.tasks.length} seeds, ` +
    `${g.jobId ? `SLURM job ${g.jobId}` : 'not submitted'}: ${s.state}` +
    (s.slurm ? `\n  (${s.slurm})` : '');
  const rows = s.tasks.map((t) => [
    t.index,
    t.seed,
    t.slurmId ?? '--',
    t.state + (t.slurmState && t.slurmState.toLowerCase() !== t.state ? ` (${t.slurmState})` : ''),
    t.restarts ?? '--',
    t.run ? `${t.run.epochsDone}/${t.run.epochs}` : '--',
    t.run?.state ?? 'not started',
    t.run && t.run.epochsDone ? `${(t.run.bestTestAcc * 100).toFixed(2)}%` : '--',
    t.reason ?? '',
  ]);
  const tails = s.tasks
    .filter((t) => t.logTail)
    .map((t) => `\n--- task ${t.index} (seed ${t.seed}) log, last lines ---\n${t.logTail}`);
  return [
    head,
    table(['task', 'seed', 'slurm id', 'state', 'restarts', 'epochs', 'run', 'best acc', 'reason'], rows),
    ...tails,
  ].join('\n');
}

export function summaryTables(s: GroupSummary): string {
  const out = [
    `Group ${s.groupId}: mean ± std over ${s.seeds.length} seeds (${s.seeds.join(', ')}); ${s.stdConvention}`,
    '',
    table(
      ['training', 'value'],
      [
        ['final test accuracy %', fmtStat(s.training.finalTestAcc, true)],
        ['best test accuracy %', fmtStat(s.training.bestTestAcc, true)],
        ['final train accuracy %', fmtStat(s.training.finalTrainAcc, true)],
        ['final test loss', fmtStat(s.training.finalTestLoss, false)],
      ],
    ),
  ];
  if (s.ood.length)
    out.push(
      '',
      table(
        ['method', 'OOD set', 'AUROC %', 'FPR@95 %', 'AUPR-In %', 'AUPR-Out %'],
        [
          ...s.ood.map((r) => [
            r.label,
            r.dataset,
            ...['auroc', 'fpr95', 'auprIn', 'auprOut'].map((m) => fmtStat(r.metrics[m], true)),
          ]),
          ...s.oodGroups.map((r) => [
            r.label,
            `${r.group} (mean)`,
            ...['auroc', 'fpr95', 'auprIn', 'auprOut'].map((m) => fmtStat(r.metrics[m], true)),
          ]),
        ],
      ),
    );
  if (s.nc)
    out.push(
      '',
      table(
        ['Neural Collapse', 'value'],
        Object.entries(s.nc).map(([k, v]) => [k, fmtStat(v, false)]),
      ),
    );
  return out.join('\n');
}
