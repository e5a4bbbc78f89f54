// Small numerics shared by the detectors added in issue 16 (ReAct, DICE, SCALE, ASH, GEN, KL-Matching, KNN,
// NNGuide...): NumPy's percentile and rounding conventions (OpenOOD's hyper-parameters are NumPy percentiles, and
// "exact" means the same threshold NumPy computes), softmax rows in float64, the energy of logits recomputed
// from reshaped features (through the blocked product of linalg/gemm.ts), and OpenOOD's row normaliser.
import { logSumExp } from './detector';
import { projectChunks } from '../linalg/gemm';
import type { Rows } from '../linalg/rows';

/** np.round / Python 3 round: halves go to the even neighbour (np.round(4.5) = 4, np.round(5.5) = 6). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** k-th smallest (0-based) of a, by quickselect; a is reordered in place. */
export function selectInPlace(a: Float32Array | Float64Array, k: number, lo = 0, hi = a.length - 1): number {
  while (hi > lo) {
    // Median of three for the pivot, then Hoare partition.
    const mid = (lo + hi) >>> 1;
    const x = a[lo], y = a[mid], z = a[hi]; // prettier-ignore
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * np.percentile(values, p) with NumPy's default 'linear' method: the order statistics at floor and ceil of
 * p/100 * (n - 1), interpolated. Works on a copy; NaN is refused.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (!n) throw new RangeError('percentile of an empty array');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  // A float32 input is copied as float32 (the same values, half the memory of a float64 copy).
  const a = values instanceof Float32Array ? values.slice() : Float64Array.from(values);
  for (let i = 0; i < n; i++) if (Number.isNaN(a[i])) throw new RangeError('percentile: a value is NaN');
  const pos = (p / 100) * (n - 1);
  const lo = Math.floor(pos);
  const vlo = selectInPlace(a, lo);
  if (pos === lo) return vlo;
  // The next order statistic is the smallest value right of lo after the partial sort.
  let vhi = Infinity;
  for (let i = lo + 1; i < n; i++) if (a[i] < vhi) vhi = a[i];
  return vlo + (vhi - vlo) * (pos - lo);
}

/**
 * Sum of the k largest entries of x[o .. o+D) (scratch: D entries, reordered). Linear time (quickselect), the
 * same sum as a sort whatever the ties.
 */
export function topSum(x: ArrayLike<number>, o: number, D: number, k: number, scratch: Float64Array): number {
  if (k <= 0) return 0;
  for (let j = 0; j < D; j++) scratch[j] = x[o + j];
  if (k < D) selectInPlace(scratch, D - k);
  let s = 0;
  for (let j = D - k; j < D; j++) s += scratch[j];
  return s;
}

/**
 * Indices of the k largest entries of x[o .. o+D), ties at the k-th value broken towards the lower index, into
 * idx (k entries). Linear time: the k-th largest value by quickselect, then one pass.
 */
export function topIndices(
  x: ArrayLike<number>,
  o: number,
  D: number,
  k: number,
  scratch: Float64Array,
  idx: Int32Array,
): void {
  for (let j = 0; j < D; j++) scratch[j] = x[o + j];
  const v = selectInPlace(scratch, D - k);
  let above = 0;
  for (let j = 0; j < D; j++) if (x[o + j] > v) above++;
  let ties = k - above;
  let w = 0;
  for (let j = 0; j < D; j++) {
    const e = x[o + j];
    if (e > v || (e === v && ties-- > 0)) idx[w++] = j;
  }
}

/** A percentile hyper-parameter: p in 0..100 (below 100 where 100 would keep nothing), else a RangeError. */
export function percentileParam(label: string, p: number, below100 = false): number {
  if (!(p >= 0 && (below100 ? p < 100 : p <= 100)))
    throw new RangeError(
      `${label}: the percentile must be in 0..100${below100 ? ' (not 100)' : ''} (got ${p}).`,
    );
  return p;
}

/** softmax of row i of logits (n x C), float64, stable. */
export function softmaxRow(logits: ArrayLike<number>, i: number, C: number, out = new Float64Array(C)) {
  let m = -Infinity;
  for (let c = 0; c < C; c++) m = Math.max(m, logits[i * C + c]);
  let s = 0;
  for (let c = 0; c < C; c++) s += out[c] = Math.exp(logits[i * C + c] - m);
  for (let c = 0; c < C; c++) out[c] /= s;
  return out;
}

/** The last layer: C x dim weights W (row-major) and C biases b. */
export interface Classifier {
  W: ArrayLike<number>;
  b: ArrayLike<number>;
  C: number;
}

/** Logits h W' + b of (reshaped) feature rows, float64, through the blocked product. */
export async function logitsOf(
  features: Rows,
  n: number,
  dim: number,
  { W, b, C }: Classifier,
): Promise<Float64Array> {
  const out = new Float64Array(n * C);
  await projectChunks({ x: features, n, dim }, Float64Array.from(W), C, (start, count, y) => {
    for (let i = 0; i < count * C; i++) out[start * C + i] = y[i] + b[i % C];
  });
  return out;
}

/** logsumexp of the logits of reshaped features: the energy score that ReAct, DICE, SCALE and ASH report. */
export async function energyOf(
  features: Rows,
  n: number,
  dim: number,
  fc: Classifier,
): Promise<Float64Array> {
  return logSumExp(await logitsOf(features, n, dim, fc), n, fc.C);
}

/**
 * OpenOOD's `normalizer = x / ||x|| + 1e-10` (KNN, NNGuide), row by row, float64. Note the 1e-10 is added after
 * the division (a quirk of OpenOOD kept for exactness); a zero row stays 1e-10 everywhere instead of NaN.
 */
export function normaliseRows(x: ArrayLike<number>, n: number, dim: number, eps = 1e-10): Float64Array {
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[i * dim + k] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < dim; k++) out[i * dim + k] = x[i * dim + k] * inv + eps;
  }
  return out;
}
