// Statistics of ID train shared by the feature-space detectors, computed once per ID train set (memoised on the
// object) however many detectors, or sweep points, are fitted on it. The one expensive product is the
// within-class scatter Sw = sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})'; the total scatter about the global mean and
// the second moment about any point follow from it by adding positive semi-definite terms, never by subtracting
// large ones, so no precision is lost to cancellation.
import type { IdTrain } from './detector';
import { scatter } from './gemm';

export interface TrainStats {
  n: number;
  dim: number;
  classes: number;
  /** Global mean (dim). */
  mean: Float64Array;
  /** Class means (classes x dim); a class without samples has the global mean. */
  classMeans: Float64Array;
  counts: Float64Array;
  /** Within-class scatter (dim x dim, not divided by n). */
  within(): Promise<Float64Array>;
  /** Total scatter about the global mean: Sw + sum_c n_c (mu_c - m)(mu_c - m)'. */
  total(): Promise<Float64Array>;
  /** Per-statistic cache for the detectors (eigen-decompositions that do not depend on their hyper-parameter). */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>;
}

const cache = new WeakMap<IdTrain, TrainStats>();

export function trainStats(t: IdTrain): TrainStats {
  const hit = cache.get(t);
  if (hit) return hit;
  const { n, dim, classes: C } = t;
  const mean = new Float64Array(dim);
  const classMeans = new Float64Array(C * dim);
  const counts = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    const y = t.labels[i];
    if (!(y >= 0 && y < C)) throw new RangeError(`ID train label ${y} at row ${i} is outside 0..${C - 1}.`);
    counts[y]++;
    const o = i * dim;
    const co = y * dim;
    for (let k = 0; k < dim; k++) {
      classMeans[co + k] += t.features[o + k];
      mean[k] += t.features[o + k];
    }
  }
  for (let k = 0; k < dim; k++) mean[k] /= n;
  for (let c = 0; c < C; c++)
    for (let k = 0; k < dim; k++)
      classMeans[c * dim + k] = counts[c] ? classMeans[c * dim + k] / counts[c] : mean[k];

  const memos = new Map<string, Promise<unknown>>();
  const memo = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    if (!memos.has(key)) memos.set(key, make());
    return memos.get(key) as Promise<T>;
  };
  const within = () =>
    memo('within', () => scatter({ x: t.features, n, dim, shift: classMeans, shiftIndex: t.labels }));
  const total = () =>
    memo('total', async () => {
      const s = Float64Array.from(await within());
      for (let c = 0; c < C; c++)
        addOuter(s, dim, classMeans.subarray(c * dim, (c + 1) * dim), mean, counts[c]);
      return s;
    });
  const stats: TrainStats = { n, dim, classes: C, mean, classMeans, counts, within, total, memo };
  cache.set(t, stats);
  return stats;
}

/** s += w (a - b)(a - b)'. */
export function addOuter(
  s: Float64Array,
  dim: number,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  w: number,
): void {
  if (!w) return;
  const d = new Float64Array(dim);
  for (let k = 0; k < dim; k++) d[k] = a[k] - b[k];
  for (let i = 0; i < dim; i++) {
    const wi = w * d[i];
    if (wi === 0) continue;
    for (let j = 0; j < dim; j++) s[i * dim + j] += wi * d[j];
  }
}
