// The closing table of `oodlab pipeline`, read from summary.json: training result, AUROC / FPR@95 of every detector
// on every OOD set, and the final Neural Collapse metrics.
import type { Summary } from '../../common/contract/report';
import { formatDuration, table } from './format';
import { firstClasses, ncCells } from './nc-print';

const pct = (v: number | null) => (v === null ? '--' : `${(v * 100).toFixed(2)}`);
const num = (v: number) =>
  v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential(2) : v.toFixed(4);

export function pipelineTable(s: Summary): string {
  const t = s.training;
  const lines = [
    `Run ${s.runId}: ${s.config.dataset}, width ${s.config.width}, ${t.epochsDone}/${t.epochs} epochs on ` +
      `${s.environment.backend ? `${s.environment.backend.name} (${s.environment.backend.device})` : 'unknown backend'}`,
    `  best test accuracy ${pct(t.bestTestAcc)}% at epoch ${t.bestEpoch}; final ${pct(t.finalTestAcc)}%; ` +
      `training ${formatDuration(t.seconds)}`,
  ];
  if (s.ood) {
    const sets = Object.keys(s.ood.oodSets);
    const methods = [...new Set(s.ood.table.map((r) => r.label))];
    const cell = (label: string, set: string) => {
      const r = s.ood?.table.find((x) => x.label === label && x.dataset === set);
      return r ? `${pct(r.auroc)} / ${pct(r.fpr95)}` : '--';
    };
    lines.push(
      '',
      table(
        ['method', ...sets.map((d) => `${d} AUROC / FPR@95 (%)`)],
        methods.map((m) => [m, ...sets.map((d) => cell(m, d))]),
      ),
    );
  }
  if (s.nc) {
    const m = s.nc.final;
    lines.push(
      '',
      table(
        ['NC1', 'NC2 equinorm', 'NC2 equiangular', 'NC3', 'NC4 %', 'NC5 %', 'NCC test acc %'],
        [ncCells(m, num, pct)],
      ),
    );
    if (m.emptyClasses?.length)
      lines.push(
        `  Neural Collapse over the ${m.classes} classes with training samples; ${m.emptyClasses.length} empty ` +
          `class${m.emptyClasses.length > 1 ? 'es' : ''} left out (${firstClasses(m.emptyClasses)}).`,
      );
  }
  return lines.join('\n');
}
