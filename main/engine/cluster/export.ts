// Exporting a group, as a run is exported: its figures (mean ± std over seeds) as SVG and/or PNG, its summary.json
// (aggregated now from the runs' files) and a README.txt into one folder, every file written atomically. The runs
// themselves export as before (`oodlab export RUN`); the README names them.
import { join } from 'node:path';
import { groupFigures } from '../../../common/charts/group';
import type { ExportResult, FigureFormat } from '../../../common/contract/report';
import { writeJsonAtomic } from '../runs/atomic';
import { exportFolder } from '../report/folder';
import { aggregateGroup } from './summary';

export async function exportGroup(
  home: string,
  id: string,
  dir: string,
  o: { formats: FigureFormat[]; scale?: number; appVersion?: string },
): Promise<ExportResult> {
  const t0 = performance.now();
  const summary = await aggregateGroup(home, id, o.appVersion);
  const figures = groupFigures(summary, { theme: 'light', animation: false });
  const { files, write, figure } = exportFolder(dir);
  for (const f of figures) await figure(f, o);
  await writeJsonAtomic(join(dir, 'summary.json'), summary);
  files.push('summary.json');
  const skipped = [
    ...(summary.curves.epochs.length ? [] : ['group-training-curves: no run has a finished epoch']),
    ...(summary.ood.length ? [] : ['group-auroc: no run has OOD results (the pipeline evaluates them)']),
  ];
  await write(
    'README.txt',
    [
      `OODLab group ${id}: ${summary.seeds.length} seeds (${summary.seeds.join(', ')}), exported ${summary.createdAt}.`,
      '',
      'summary.json   mean and standard deviation over seeds of test accuracy, every OOD metric per method and set,',
      '               near/far-OOD means and NC1-NC5; each entry keeps the per-seed values. ' +
        summary.stdConvention,
      ...figures.map((f) => `figures/${f.id}.{${o.formats.join(',')}}   ${f.title}: mean ± 1 std over seeds`),
      ...skipped.map((s) => `(not exported) ${s}`),
      '',
      'The runs, one per seed (each exports on its own with `oodlab export RUN`):',
      ...summary.runs.map((r, i) => `  seed ${summary.seeds[i]}: runs/${r}`),
      '',
    ].join('\n'),
  );
  return { dir, files, figures: figures.map((f) => f.id), skipped, seconds: (performance.now() - t0) / 1000 };
}
