// Exporting a run: every figure its data allow (SVG and/or PNG), summary.json, training_history.json and a
// README.txt into one folder. Figures come from the same registry the renderer draws from, rendered light and without
// animation. Every file is written atomically; the run's own summary.json is refreshed on the way.
import { join } from 'node:path';
import { buildFigures } from '../../../common/charts';
import { OodlabError } from '../../../common/contract/errors';
import type { ExportResult, FigureFormat } from '../../../common/contract/report';
import { TrainingHistory } from '../../../common/contract/train';
import { writeJsonAtomic } from '../runs/atomic';
import { loadRunData } from './inputs';
import { exportReadme } from './readme';
import { exportFolder } from './folder';
import { buildSummary, summaryPath, writeSummary } from './summary';

export interface ExportOptions {
  formats: FigureFormat[];
  scale?: number;
  appVersion?: string;
  signal?: AbortSignal;
  progress?: (fraction: number, message: string) => void;
}

/** Why a figure family is missing, for README.txt and the CLI. */
function skippedFigures(d: Awaited<ReturnType<typeof loadRunData>>): string[] {
  const out: string[] = [];
  if (!d.history?.epochs.length) out.push('training curves: no finished epoch');
  if (!d.ood)
    out.push('OOD histograms, ROC curves, AUROC table: no ood_results.json (run `oodlab evaluate`)');
  if (!d.nc) out.push('Neural Collapse figures: no nc_results.json (run `oodlab analyze`)');
  else {
    if (!d.nc.perEpoch.length) out.push('nc-epochs: NC was not analysed per checkpoint (analyze --epochs)');
    if (!d.nc.layers.length) out.push('layer-nc1: no layer-wise NC1 (analyze --layers)');
  }
  return out;
}

export async function exportRun(
  home: string,
  runId: string,
  dir: string,
  o: ExportOptions,
): Promise<ExportResult> {
  const t0 = performance.now();
  const d = await loadRunData(home, runId);
  const figures = buildFigures(d, { theme: 'light', animation: false });
  const { files, write, figure } = exportFolder(dir);
  const steps = figures.length + 1;

  for (const [i, f] of figures.entries()) {
    if (o.signal?.aborted) throw new OodlabError('cancelled', 'Export cancelled.');
    o.progress?.(i / steps, `Figure ${f.id}`);
    await figure(f, o);
  }

  o.progress?.(figures.length / steps, 'summary.json');
  const summary = await buildSummary(home, runId, { appVersion: o.appVersion });
  await writeSummary(summaryPath(home, runId), summary);
  await writeSummary(join(dir, 'summary.json'), summary);
  files.push('summary.json');
  if (d.history) {
    await writeJsonAtomic(join(dir, 'training_history.json'), TrainingHistory.parse(d.history));
    files.push('training_history.json');
  }
  const skipped = skippedFigures(d);
  const ids = figures.map((f) => f.id);
  await write(
    'README.txt',
    exportReadme({
      runId,
      createdAt: summary.createdAt,
      figures: ids,
      formats: o.formats,
      history: !!d.history,
      skipped,
    }),
  );
  o.progress?.(1, 'Done');
  return { dir, files, figures: ids, skipped, seconds: (performance.now() - t0) / 1000 };
}
