// NC1–NC5 of one model on its penultimate features (Papyan, Han & Donoho 2020), plus the ID/OOD orthogonality that
// the NECO paper (Ammar et al., ICLR 2024, eq. 5) calls NC5, under its own name.
//   NC1  Tr(Sw Sb^+)/C                                  (nc1.ts)
//   NC2  equinorm: std/mean of ||m_c|| and of ||w_c||; equiangularity: mean and max over pairs of |cos + 1/(C-1)|
//   NC3  ||W/||W||_F - M/||M||_F||_F^2
//   NC4  share of training samples where NCC and argmax-logit predictions differ
//   NC5  share of test samples where they agree (the seed study's use), with the NCC accuracy on test
// A cosine involving a zero vector counts as 0 (orthogonal), so no metric is ever NaN.
// Classes without a training sample are left out: every metric is over the C' present classes (present.ts).
import type { NcMetrics, NcOrthogonality } from '../../../common/contract/nc';
import { OodlabError } from '../../../common/contract';
import type { LabelledRows } from './core';
import { agreement, checkRows, collapseCore } from './core';
import type { Rows } from '../linalg/rows';
import { argmaxRows, projectRows } from '../linalg/kernels';
import { restrictToPresent } from './present';
import type { ClassStats } from '../linalg/class-stats';
import type { NcInput, NcSet } from './input';
import { rowDotMatrix, rowNorms2 } from '../linalg/kernels';

export type { NcInput, NcSet } from './input';

export function networkPredictions(s: NcSet, W: Rows, b: Rows, C: number, D: number): Int32Array {
  if (s.logits && s.logits.length === s.n * C) return argmaxRows(s.logits, s.n, C);
  const z = projectRows(s.features, s.n, D, Float64Array.from(W), C);
  for (let i = 0; i < s.n; i++) for (let c = 0; c < C; c++) z[i * C + c] += b[c];
  return argmaxRows(z, s.n, C);
}

/** Cosine matrix (R x R) of the rows of m; 0 where a row is zero. */
export function cosineMatrix(m: ArrayLike<number>, R: number, D: number): Float64Array {
  const dots = rowDotMatrix(m, R, m, R, D);
  const norms = Array.from({ length: R }, (_, r) => Math.sqrt(dots[r * R + r]));
  for (let r = 0; r < R; r++)
    for (let s = 0; s < R; s++) {
      const den = norms[r] * norms[s];
      dots[r * R + s] = den > 0 ? dots[r * R + s] / den : 0;
    }
  return dots;
}

/** Coefficient of variation (std / mean; population std, or unbiased) of the row norms; 0 when every row is zero. */
export function equinorm(m: ArrayLike<number>, R: number, D: number, unbiased = false): number {
  const norms = Array.from(rowNorms2(m, R, D), Math.sqrt);
  const mean = norms.reduce((s, v) => s + v, 0) / R;
  if (!(mean > 0)) return 0;
  const variance = norms.reduce((s, v) => s + (v - mean) ** 2, 0) / (unbiased && R > 1 ? R - 1 : R);
  return Math.sqrt(variance) / mean;
}

/** Mean and max over pairs r < s of |cos_rs + 1/(R-1)|. */
export function equiangularity(m: ArrayLike<number>, R: number, D: number): { mean: number; max: number } {
  const cos = cosineMatrix(m, R, D);
  let sum = 0;
  let max = 0;
  for (let r = 0; r < R; r++)
    for (let s = r + 1; s < R; s++) {
      const dev = Math.abs(cos[r * R + s] + 1 / (R - 1));
      sum += dev;
      max = Math.max(max, dev);
    }
  return { mean: sum / ((R * (R - 1)) / 2), max };
}

/** ||W/||W||_F - M/||M||_F||_F^2; a zero matrix stays zero. */
export function selfDuality(W: ArrayLike<number>, M: ArrayLike<number>): number {
  let w2 = 0;
  let m2 = 0;
  for (let i = 0; i < W.length; i++) w2 += W[i] * W[i];
  for (let i = 0; i < M.length; i++) m2 += M[i] * M[i];
  const wn = w2 > 0 ? 1 / Math.sqrt(w2) : 0;
  const mn = m2 > 0 ? 1 / Math.sqrt(m2) : 0;
  let d = 0;
  for (let i = 0; i < W.length; i++) d += (W[i] * wn - M[i] * mn) ** 2;
  return d;
}

/** ID/OOD orthogonality of one OOD set against the ID class means, everything centred by the ID global mean. */
export function orthogonality(st: ClassStats, ood: LabelledRows): NcOrthogonality {
  const { C, D } = st;
  const norms2 = new Float64Array(ood.n);
  checkRows(ood, D, 'OOD features');
  const P = projectRows(ood.features, ood.n, D, st.centred, C, { shift: st.globalMean, norms2 });
  const mn = Array.from(rowNorms2(st.centred, C, D), Math.sqrt);
  let sum = 0;
  const oodMean = new Float64Array(D);
  for (let i = 0; i < ood.n; i++) {
    const hn = Math.sqrt(norms2[i]);
    for (let c = 0; c < C; c++) {
      const den = hn * mn[c];
      if (den > 0) sum += Math.abs(P[i * C + c]) / den;
    }
    for (let k = 0; k < D; k++) oodMean[k] += (ood.features[i * D + k] - st.globalMean[k]) / ood.n;
  }
  const g = rowDotMatrix(st.centred, C, oodMean, 1, D);
  const gn = Math.sqrt(rowNorms2(oodMean, 1, D)[0]);
  let gsum = 0;
  for (let c = 0; c < C; c++) if (gn * mn[c] > 0) gsum += Math.abs(g[c]) / (gn * mn[c]);
  return { meanAbsCos: ood.n ? sum / (ood.n * C) : 0, globalMeanAbsCos: gsum / C, samples: ood.n };
}

function accuracy(pred: Int32Array, labels: Int32Array | undefined, what: string): number {
  if (!labels) throw new OodlabError('invalid_request', `The ${what} have no labels.`);
  return agreement(pred, labels);
}

/**
 * NC1–NC5 over the classes that have training samples; `emptyClasses` names the others (original indices), and the
 * network's accuracies stay those of all C logits.
 */
export function computeNcMetrics(full: NcInput): NcMetrics {
  const { C, D } = full;
  if (full.W.length !== C * D)
    throw new OodlabError('invalid_request', `W holds ${full.W.length} values, not ${C} x ${D}.`);
  if (full.b.length !== C)
    throw new OodlabError('invalid_request', `b holds ${full.b.length} values, not ${C}.`);
  const { input, empty } = restrictToPresent(full);
  const m = presentClassMetrics(input);
  if (!empty.length) return m;
  const net = (s: NcSet) => networkPredictions(s, full.W, full.b, C, D);
  return {
    ...m,
    trainAccuracy: accuracy(net(full.idTrain), full.idTrain.labels, 'training features'),
    testAccuracy: accuracy(net(full.idTest), full.idTest.labels, 'test features'),
    emptyClasses: empty,
  };
}

/** NC1–NC5 of an input whose every class has training samples. */
function presentClassMetrics(f: NcInput): NcMetrics {
  const { C, D } = f;
  const centring = f.centring ?? 'sample';
  const unbiased = centring === 'classes';
  const core = collapseCore(f.idTrain, f.idTest, D, C, 'features', centring);
  const { st } = core;
  const netTrain = networkPredictions(f.idTrain, f.W, f.b, C, D);
  const netTest = networkPredictions(f.idTest, f.W, f.b, C, D);
  const em = equiangularity(st.centred, C, D);
  const ew = equiangularity(f.W, C, D);
  const idOodOrthogonality: Record<string, NcOrthogonality> = {};
  for (const [name, set] of Object.entries(f.ood ?? {})) idOodOrthogonality[name] = orthogonality(st, set);
  return {
    classes: C,
    dim: D,
    centring,
    trainSamples: f.idTrain.n,
    testSamples: f.idTest.n,
    ...core.nc1,
    nc2: {
      equinormMeans: equinorm(st.centred, C, D, unbiased),
      equinormClassifier: equinorm(f.W, C, D, unbiased),
      equiangularMeans: em.mean,
      equiangularMeansMax: em.max,
      equiangularClassifier: ew.mean,
      equiangularClassifierMax: ew.max,
    },
    nc3: selfDuality(f.W, st.centred),
    nc4: agreement(core.nccTrain, netTrain, true),
    nc5: agreement(core.nccTest, netTest),
    nccTestAccuracy: accuracy(core.nccTest, f.idTest.labels, 'test features'),
    nccTrainAccuracy: accuracy(core.nccTrain, f.idTrain.labels, 'training features'),
    trainAccuracy: accuracy(netTrain, f.idTrain.labels, 'training features'),
    testAccuracy: accuracy(netTest, f.idTest.labels, 'test features'),
    idOodOrthogonality,
  };
}
