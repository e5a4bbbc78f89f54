// Class statistics of a labelled feature set, in float64, shared by the detectors (ood/stats.ts) and Neural Collapse
// (nc/core.ts): counts, class means, the global mean, the centred class means M (C x D), and the within-class and
// total scatter matrices. Papyan et al. 2020 take the global mean over all samples (weighted by class size) and
// average Sb over classes; so do we by default.
//
// Empty classes, one treatment for every caller: a class without a sample has no mean. It is counted (counts[c] = 0)
// and named in `empty`; its row of `means` holds the global mean, so its row of M is zero and it adds nothing to
// any scatter, and it takes no part in the global mean. Every consumer then leaves it out: the detectors skip it
// wherever they take a minimum or maximum over classes (Mahalanobis, SHE), and Neural Collapse is measured on the
// present classes only (nc/present.ts restricts the input first; nc/core.ts refuses statistics that still have one).
// A label outside 0..C-1, empty or mis-sized features are refused with a clear message.
import { OodlabError } from '../../../common/contract';
import { addOuter } from './kernels';
import { scatter } from './gemm';
import type { Rows } from './rows';

/**
 * Where M is centred: 'sample', the mean of all samples (each class weighted by its size; OODLab's default), or
 * 'classes', the mean of the class means (Papyan et al.'s code). They differ only for imbalanced classes.
 */
export type Centring = 'sample' | 'classes';

export interface ClassStats {
  C: number;
  D: number;
  n: number;
  counts: Float64Array;
  /** C x D class means (an empty class: the global mean). */
  means: Float64Array;
  /** D: mean of all samples ('sample') or of the present class means ('classes'). */
  globalMean: Float64Array;
  /** C x D: means minus the global mean (the rows of M; zero for an empty class). */
  centred: Float64Array;
  /** Classes without a sample, ascending. */
  empty: number[];
}

export interface ClassStatsOptions {
  /** What the rows are, for error messages ("training features"). */
  what?: string;
  centring?: Centring;
}

export function classStats(
  x: Rows,
  labels: Int32Array,
  n: number,
  D: number,
  C: number,
  o: ClassStatsOptions = {},
): ClassStats {
  const what = o.what ?? 'features';
  if (n === 0) throw new OodlabError('invalid_request', `The ${what} are empty.`);
  if (x.length !== n * D)
    throw new OodlabError('invalid_request', `The ${what} hold ${x.length} values, not ${n} x ${D}.`);
  if (labels.length !== n)
    throw new OodlabError('invalid_request', `${labels.length} labels for ${n} ${what}.`);
  const counts = new Float64Array(C);
  const sums = new Float64Array(C * D);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < C))
      throw new OodlabError('invalid_request', `Label ${y} of sample ${i} is outside 0..${C - 1}.`);
    counts[y]++;
    const so = y * D;
    const xo = i * D;
    for (let k = 0; k < D; k++) sums[so + k] += x[xo + k];
  }
  const empty = [...counts.keys()].filter((c) => counts[c] === 0);
  const present = C - empty.length;
  const means = new Float64Array(C * D);
  const globalMean = new Float64Array(D);
  for (let c = 0; c < C; c++) {
    if (!counts[c]) continue;
    for (let k = 0; k < D; k++) {
      means[c * D + k] = sums[c * D + k] / counts[c];
      globalMean[k] += o.centring === 'classes' ? means[c * D + k] / present : sums[c * D + k] / n;
    }
  }
  for (const c of empty) means.set(globalMean, c * D);
  const centred = new Float64Array(C * D);
  for (let c = 0; c < C; c++)
    for (let k = 0; k < D; k++) centred[c * D + k] = means[c * D + k] - globalMean[k];
  return { C, D, n, counts, means, globalMean, centred, empty };
}

/** Within-class scatter Sw = sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})' (D x D, not divided by n). */
export function withinScatter(x: Rows, labels: Int32Array, st: ClassStats): Promise<Float64Array> {
  return scatter({ x, n: st.n, dim: st.D, shift: st.means, shiftIndex: labels });
}

/**
 * Total scatter about the global mean from the within-class one: Sw + sum_c n_c (mu_c - m)(mu_c - m)', adding
 * positive semi-definite terms (never subtracting large ones), so no precision is lost to cancellation.
 */
export function totalScatter(within: Float64Array, st: ClassStats): Float64Array {
  const { D, means, globalMean, counts } = st;
  const s = Float64Array.from(within);
  for (let c = 0; c < st.C; c++) addOuter(s, D, means.subarray(c * D, (c + 1) * D), globalMean, counts[c]);
  return s;
}
