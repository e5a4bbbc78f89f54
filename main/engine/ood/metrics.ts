// OOD metrics from two score lists, ID and OOD. Pure: knows nothing about detectors. The score convention is the
// one stated in detector.ts: higher = more in-distribution, so ID is the positive class ("accepted" = score >= t).
// Ties are exact: every threshold sits between distinct score values, so tied ID and OOD scores enter the sweep
// together (a tie counts 1/2 in AUROC, as in the Mann-Whitney statistic).
//   AUROC        area under (FPR, TPR), trapezoidal, ID positive
//   AUPR-In/Out  average precision (sum of recall steps x precision, scikit-learn's definition) with ID / OOD positive
//   FPR@95       classic: fraction of OOD accepted at the first threshold that accepts >= 95% of ID
//   FPR@95 (OpenOOD, 2023+): OOD positive: fraction of ID rejected at the first threshold rejecting >= 95% of OOD
//   detection error  min over thresholds of (1 - TPR + FPR) / 2
//   AUPR-In/Out (OpenOOD, trapezoid): OpenOOD's `auc(recall, precision)` over scikit-learn's
//                precision_recall_curve: the points (recall, precision) at each distinct threshold down to the first
//                that reaches full recall, plus (0, 1), joined by trapezoids. Reported beside average precision
//                under their own names, so numbers compare with OpenOOD's tables.
import type { OodMetrics } from '../../../common/contract/ood';

/** One point per distinct score, from the highest threshold down: ID and OOD accepted counts. */
interface Sweep {
  tp: Float64Array;
  fp: Float64Array;
  nId: number;
  nOod: number;
}

function sortedDesc(x: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(x);
  for (const v of a) if (Number.isNaN(v)) throw new RangeError('OOD metrics: a score is NaN.');
  return a.sort().reverse();
}

function sweep(idScores: ArrayLike<number>, oodScores: ArrayLike<number>): Sweep {
  const a = sortedDesc(idScores);
  const b = sortedDesc(oodScores);
  if (a.length === 0 || b.length === 0)
    throw new RangeError('OOD metrics need at least one ID and one OOD score.');
  const tp = [0];
  const fp = [0];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = Math.max(i < a.length ? a[i] : -Infinity, j < b.length ? b[j] : -Infinity);
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    tp.push(i);
    fp.push(j);
  }
  return { tp: Float64Array.from(tp), fp: Float64Array.from(fp), nId: a.length, nOod: b.length };
}

export function computeMetrics(idScores: ArrayLike<number>, oodScores: ArrayLike<number>): OodMetrics {
  const s = sweep(idScores, oodScores);
  const { tp, fp, nId, nOod } = s;
  const last = tp.length - 1;
  let auroc = 0;
  let apIn = 0;
  let fpr95 = 1;
  let found = false;
  let detErr = 0.5;
  for (let k = 1; k <= last; k++) {
    const tpr0 = tp[k - 1] / nId;
    const tpr = tp[k] / nId;
    const fpr = fp[k] / nOod;
    auroc += ((fpr - fp[k - 1] / nOod) * (tpr + tpr0)) / 2;
    if (tp[k] > tp[k - 1]) apIn += (tpr - tpr0) * (tp[k] / (tp[k] + fp[k]));
    if (!found && tpr >= 0.95) {
      fpr95 = fpr;
      found = true;
    }
    detErr = Math.min(detErr, (1 - tpr + fpr) / 2);
  }
  // The OOD-positive view walks the same points from the other end: rejected = total - accepted.
  let apOut = 0;
  let fpr95OpenOOD = 1;
  found = false;
  for (let k = last - 1; k >= 0; k--) {
    const rejOod = nOod - fp[k];
    const rejId = nId - tp[k];
    const prevOod = nOod - fp[k + 1];
    if (rejOod > prevOod) apOut += ((rejOod - prevOod) / nOod) * (rejOod / (rejOod + rejId));
    if (!found && rejOod / nOod >= 0.95) {
      fpr95OpenOOD = rejId / nId;
      found = true;
    }
  }
  const auprInTrapz = trapzAupr(s);
  const auprOutTrapz = trapzAupr(
    sweep(
      Float64Array.from(oodScores, (v) => -v),
      Float64Array.from(idScores, (v) => -v),
    ),
  );
  return {
    auroc,
    auprIn: apIn,
    auprOut: apOut,
    fpr95,
    fpr95OpenOOD,
    detectionError: detErr,
    nId,
    nOod,
    auprInTrapz,
    auprOutTrapz,
  };
}

/** sklearn.metrics.auc(recall, precision) of precision_recall_curve, the first set of the sweep positive. */
function trapzAupr({ tp, fp, nId }: Sweep): number {
  let area = 0;
  let r0 = 0;
  let p0 = 1;
  for (let k = 1; k < tp.length; k++) {
    const r = tp[k] / nId;
    const p = tp[k] / (tp[k] + fp[k]);
    area += ((r - r0) * (p + p0)) / 2;
    if (tp[k] === nId) break;
    r0 = r;
    p0 = p;
  }
  return area;
}

/** ROC points (FPR, TPR) with ID positive, thinned to at most maxPoints (the ends are always kept). */
export function rocPoints(
  idScores: ArrayLike<number>,
  oodScores: ArrayLike<number>,
  maxPoints = 200,
): { fpr: number[]; tpr: number[] } {
  const { tp, fp, nId, nOod } = sweep(idScores, oodScores);
  const m = tp.length;
  const step = Math.max(1, (m - 1) / (maxPoints - 1));
  const fpr: number[] = [];
  const tpr: number[] = [];
  for (let x = 0; ; x += step) {
    const k = Math.min(m - 1, Math.round(x));
    if (
      fpr.length &&
      k === m - 1 &&
      fpr[fpr.length - 1] === fp[k] / nOod &&
      tpr[tpr.length - 1] === tp[k] / nId
    )
      break;
    fpr.push(fp[k] / nOod);
    tpr.push(tp[k] / nId);
    if (k === m - 1) break;
  }
  return { fpr, tpr };
}

/** Histograms of ID and each OOD set's scores on shared bins over the pooled 0.5%..99.5% quantile range. */
export function histograms(
  idScores: ArrayLike<number>,
  ood: Record<string, ArrayLike<number>>,
  bins = 40,
): { edges: number[]; id: number[]; ood: Record<string, number[]> } {
  // The range spans the pooled 0.5%..99.5% quantiles: one extreme score must not squash every bar into one bin.
  // Scores outside it are counted in the end bins, so each set's counts still sum to its size.
  const pooled = Float64Array.from([idScores, ...Object.values(ood)].flatMap((s) => Array.from(s))).filter(
    (v) => Number.isFinite(v),
  );
  pooled.sort();
  const at = (q: number) =>
    pooled[Math.min(pooled.length - 1, Math.max(0, Math.round(q * (pooled.length - 1))))];
  let lo = pooled.length ? at(0.005) : 0;
  let hi = pooled.length ? at(0.995) : 0;
  if (hi === lo && pooled.length) {
    lo = pooled[0];
    hi = pooled[pooled.length - 1];
  }
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const count = (s: ArrayLike<number>) => {
    const h = new Array<number>(bins).fill(0);
    for (let i = 0; i < s.length; i++) h[Math.min(bins - 1, Math.max(0, Math.floor((s[i] - lo) / width)))]++;
    return h;
  };
  return {
    edges,
    id: count(idScores),
    ood: Object.fromEntries(Object.entries(ood).map(([k, s]) => [k, count(s)])),
  };
}
