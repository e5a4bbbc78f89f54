// What every layer's analysis shares: class statistics on the training features, NC1, and the nearest-class-centre
// (NCC) classifier's predictions on train and test. Two passes of the blocked kernel do it all:
//   train: q_i = M (h_i - mu_{y_i})  -> G for NC1, and M h_i = q_i + M mu_{y_i} for NCC;
//   test:  M h_i                     -> NCC.
// NCC picks argmin_c ||h - mu_c||^2 = ||h - mu_G||^2 + ||m_c||^2 - 2 (M h)_c + 2 mu_G.m_c, so only M h is needed.
import { OodlabError } from '../../../common/contract';
import type { Rows } from '../linalg/rows';
import { projectRows } from '../linalg/kernels';
import type { Nc1 } from './nc1';
import { nc1FromProjections } from './nc1';
import type { ClassStats } from '../linalg/class-stats';
import { classStats, type Centring, type ClassStatsOptions } from '../linalg/class-stats';
import { rowDotMatrix, rowNorms2 } from '../linalg/kernels';

export interface LabelledRows {
  features: Rows;
  labels?: Int32Array;
  n: number;
}

export interface CoreResult {
  st: ClassStats;
  nc1: Nc1;
  nccTrain: Int32Array;
  nccTest: Int32Array;
}

/** argmin_c (a_c - 2 P_ic) for an n x C matrix P of products M h_i. */
export function nccFromProducts(P: Float64Array, n: number, C: number, a: Float64Array): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bv = Infinity;
    for (let c = 0; c < C; c++) {
      const v = a[c] - 2 * P[i * C + c];
      if (v < bv) {
        bv = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Refuses a feature matrix whose size does not match n x D (a clear message instead of silent garbage). */
export function checkRows(s: LabelledRows, D: number, what: string): void {
  if (s.features.length !== s.n * D)
    throw new OodlabError(
      'invalid_request',
      `The ${what} hold ${s.features.length} values, not ${s.n} x ${D}.`,
    );
}

/**
 * Class statistics for Neural Collapse: at least two classes, and none empty (the caller restricts the input to the
 * present classes first, nc/present.ts; an empty class here is a bug, not a data problem).
 */
export function ncClassStats(
  s: LabelledRows & { labels: Int32Array },
  D: number,
  C: number,
  o: ClassStatsOptions = {},
): ClassStats {
  if (C < 2) throw new OodlabError('invalid_request', `Neural Collapse needs at least 2 classes (got ${C}).`);
  const st = classStats(s.features, s.labels, s.n, D, C, o);
  if (st.empty.length)
    throw new OodlabError(
      'invalid_request',
      `Class${st.empty.length > 1 ? 'es' : ''} ${st.empty.join(', ')} ha${st.empty.length > 1 ? 've' : 's'} ` +
        `no samples in the ${o.what ?? 'features'}: ` +
        'Neural Collapse is measured on the present classes only (restrictToPresent first).',
    );
  return st;
}

export function collapseCore(
  train: LabelledRows,
  test: LabelledRows,
  D: number,
  C: number,
  what = 'features',
  centring: Centring = 'sample',
): CoreResult {
  if (!train.labels) throw new OodlabError('invalid_request', `The training ${what} have no labels.`);
  checkRows(test, D, `test ${what}`);
  const st = ncClassStats({ ...train, labels: train.labels }, D, C, { what: `training ${what}`, centring });
  const norms2 = new Float64Array(train.n);
  const q = projectRows(train.features, train.n, D, st.centred, C, {
    shift: st.means,
    shiftIndex: train.labels,
    norms2,
  });
  let dev2 = 0;
  for (const v of norms2) dev2 += v;
  const nc1 = nc1FromProjections(st, q, dev2);

  const mm = rowNorms2(st.centred, C, D);
  const g = rowDotMatrix(st.centred, C, st.globalMean, 1, D);
  const a = new Float64Array(C);
  for (let c = 0; c < C; c++) a[c] = mm[c] + 2 * g[c];
  // M mu_y for every class y: B[y*C + c] = m_c . mu_y
  const B = rowDotMatrix(st.means, C, st.centred, C, D);
  for (let i = 0; i < train.n; i++) {
    const bo = train.labels[i] * C;
    for (let c = 0; c < C; c++) q[i * C + c] += B[bo + c];
  }
  const nccTrain = nccFromProducts(q, train.n, C, a);
  const Pt = projectRows(test.features, test.n, D, st.centred, C);
  const nccTest = nccFromProducts(Pt, test.n, C, a);
  return { st, nc1, nccTrain, nccTest };
}

/** Share of positions where two label vectors agree (or, with `differ`, disagree). */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>, differ = false): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] === b[i]) !== differ) k++;
  return a.length ? k / a.length : 0;
}
