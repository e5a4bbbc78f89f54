// Neural Collapse results as text for the terminal: the final model's metrics, the layer-wise table and the
// across-epochs table (what `oodlab analyze` prints without --json).
import type { NcMetrics, NcResults } from '../../common/contract/nc';
import { table } from './format';

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const num = (v: number) =>
  v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential(3) : v.toFixed(4);

/** The NC columns of a model both the analyze and the pipeline tables show, in this order. */
export function ncCells(m: NcMetrics, num: (v: number) => string, pct: (v: number) => string): string[] {
  const n2 = m.nc2;
  return [
    num(m.nc1),
    num(n2.equinormMeans),
    num(n2.equiangularMeans),
    num(m.nc3),
    pct(m.nc4),
    pct(m.nc5),
    pct(m.nccTestAccuracy),
  ];
}

/** The first 20 classes of a list, then ', ...' when there are more. */
export const firstClasses = (c: number[]) => `${c.slice(0, 20).join(', ')}${c.length > 20 ? ', ...' : ''}`;

export function formatNcResults(r: NcResults): string {
  const m = r.final;
  const src = r.runId ? `run ${r.runId} (checkpoint ${r.source.checkpoint ?? '?'})` : r.source.featuresDir;
  const lines = [
    `Neural Collapse of ${src}: ${m.classes} classes, ${m.dim}-d, ${m.trainSamples} train / ${m.testSamples} test`,
    ...(m.emptyClasses?.length
      ? [
          `  (${m.emptyClasses.length} classes without training samples left out: ${firstClasses(m.emptyClasses)}` +
            `; C = ${m.classes} present classes below)`,
        ]
      : []),
    (m.centring ?? 'sample') === 'sample'
      ? '  centring: the mean of all samples (default; --centring classes for the mean of the class means)'
      : '  centring: the mean of the class means, unbiased std in equinorm (--centring classes; default: sample)',
    `  NC1  Tr(Sw Sb^+)/C                ${num(m.nc1)}   (Tr Sw ${num(m.trSw)}, Tr Sb ${num(m.trSb)}, rank Sb ${m.rankSb})`,
    `  NC2  equinorm   means / W         ${num(m.nc2.equinormMeans)} / ${num(m.nc2.equinormClassifier)}`,
    `       equiangular means / W        ${num(m.nc2.equiangularMeans)} / ${num(m.nc2.equiangularClassifier)}` +
      `   (max ${num(m.nc2.equiangularMeansMax)} / ${num(m.nc2.equiangularClassifierMax)})`,
    `  NC3  ||W/|W| - M/|M|||^2          ${num(m.nc3)}`,
    `  NC4  NCC != network on train      ${pct(m.nc4)}`,
    `  NC5  NCC == network on test       ${pct(m.nc5)}   NCC test accuracy ${pct(m.nccTestAccuracy)}, network ${pct(m.testAccuracy)}`,
    `  ETF distance of the cosines       means ${num(r.geometry.etfDistanceMeans)}, classifier ${num(r.geometry.etfDistanceClassifier)}`,
  ];
  const ortho = Object.entries(m.idOodOrthogonality);
  if (ortho.length) {
    lines.push('  ID/OOD orthogonality (NECO "NC5"; mean |cos| to the class means, 0 = orthogonal)');
    for (const [name, o] of ortho)
      lines.push(
        `       ${name.padEnd(14)} samples ${num(o.meanAbsCos)}   global mean ${num(o.globalMeanAbsCos)}   (${o.samples})`,
      );
  }
  if (r.layers.length > 1) {
    lines.push('', 'Layers');
    lines.push(
      table(
        ['layer', 'dim', 'NC1', 'NCC train', 'NCC test', 'NCC=net'],
        r.layers.map((l) => [
          l.name,
          l.dim,
          num(l.nc1),
          pct(l.nccTrainAccuracy),
          pct(l.nccTestAccuracy),
          pct(l.nccNetworkAgreement),
        ]),
      ),
    );
  }
  if (r.perEpoch.length) {
    lines.push('', 'Epochs');
    lines.push(
      table(
        ['epoch', 'NC1', 'equinorm', 'equiangular', 'NC3', 'NC4', 'NC5', 'NCC test', 'test acc'],
        r.perEpoch.map(({ epoch, metrics: e }) => [epoch, ...ncCells(e, num, pct), pct(e.testAccuracy)]),
      ),
    );
  }
  return lines.join('\n');
}
