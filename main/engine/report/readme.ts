// README.txt of an export folder: what each file is, so a folder sent to a colleague explains itself.
import { describeFigure } from '../../../common/charts';

export function exportReadme(o: {
  runId: string;
  createdAt: string;
  figures: string[];
  formats: string[];
  history: boolean;
  skipped: string[];
}): string {
  const lines = [
    `OODLab export of run ${o.runId}`,
    `Written ${o.createdAt}.`,
    '',
    'summary.json',
    '  Everything about the run in one file: training config, environment (backend, device, versions), training',
    '  result (best epoch, test accuracy, time), the OOD table (AUROC, AUPR-In, AUPR-Out, FPR@95TPR per detector and',
    '  OOD set, fractions), Neural Collapse metrics (NC1-NC5, per epoch, per layer) and timings. Every field is',
    '  documented in the Summary schema (common/contract/report.ts in the OODLab sources).',
  ];
  if (o.history)
    lines.push(
      '',
      'training_history.json',
      '  One entry per epoch: train/test loss (nats), train/test accuracy (fractions), learning rate, seconds, images/s.',
    );
  if (o.figures.length) {
    lines.push('', `figures/  (${o.formats.map((f) => `.${f}`).join(' and ')}; PNGs on a white background)`);
    for (const id of o.figures) lines.push(`  ${id}: ${describeFigure(id) ?? ''}`);
  }
  if (o.skipped.length) lines.push('', 'Not exported (no data yet):', ...o.skipped.map((s) => `  ${s}`));
  return lines.join('\n') + '\n';
}
