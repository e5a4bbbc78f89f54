// Statistics of ID train shared by the feature-space detectors, computed once per ID train set (memoised on the
// object) however many detectors, or sweep points, are fitted on it: the class statistics of linalg/class-stats.ts
// (an empty class is counted, named and skipped; see there), the within-class scatter
// Sw = sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})' (the one expensive product) and the total scatter derived from it.
import type { IdTrain } from './detector';
import { classStats, totalScatter, withinScatter, type ClassStats } from '../linalg/class-stats';

export interface TrainStats extends ClassStats {
  /** Within-class scatter (D x D, not divided by n). */
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
  const st = classStats(t.features, t.labels, t.n, t.dim, t.classes, { what: 'ID train features' });
  const memos = new Map<string, Promise<unknown>>();
  const memo = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    if (!memos.has(key)) memos.set(key, make());
    return memos.get(key) as Promise<T>;
  };
  const within = () => memo('within', () => withinScatter(t.features, t.labels, st));
  const total = () => memo('total', async () => totalScatter(await within(), st));
  const stats: TrainStats = { ...st, within, total, memo };
  cache.set(t, stats);
  return stats;
}
