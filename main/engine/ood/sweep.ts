// Hyper-parameter selection that never looks at the test OOD sets (OpenOOD v1.5's protocol): detectors are fitted
// on ID train and judged by how well they separate held-out ID samples from a validation OOD set.
//   ID side: the ID validation split held out of training when the features folder has one (id_val_*.npy; the
//            detectors are then fitted on all of ID train), else 10% of ID train (fitted on the other 90%).
//   OOD side: a held-out part of a real OOD set that is not among the test sets (the user's pick, or the first such
//            set in the folder), else an OOD proxy: features of perturbed ID test images (patch-shuffled, made at
//            extraction) or, for imported features without one, a feature-space proxy (each held-out feature vector
//            with its coordinates permuted, logits recomputed).
// The grid of each method lives beside it (registry.ts); the best point is the highest AUROC, then the lowest FPR@95.
// The split also says which rows it took (`rows`), so ODIN, which needs the images, validates on the same samples.
import type { OodParams } from '../../../common/contract/ood';
import type { FeatureSet, RunFeatures } from '../features/store';
import { mulberry32, shuffle } from '../data/rng';
import type { Batch, IdTrain } from './detector';
import { computeMetrics } from './metrics';
import { methods, type FeatureMethod } from './registry';

/** Where the split's rows come from: indices into the features folder's sets (and so into their images). */
export interface SweepRows {
  /** rows of id_val (all of it) or of id_train */
  heldOut: { from: 'id_val' | 'id_train'; index: Uint32Array };
  /** rows of the validation OOD set ood_<name>, the first n rows of the image proxy, or a proxy with no images */
  proxy:
    | { from: 'ood'; name: string; index: Uint32Array }
    | { from: 'proxy'; n: number }
    | { from: 'feature-space' };
}

export interface SweepSplit {
  fitTrain: IdTrain;
  heldOut: Batch;
  proxy: Batch;
  rows: SweepRows;
  description: { heldOut: string; proxy: string; validationOod: string };
}

const iota = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

function rows(
  s: { features: Float32Array; logits: Float32Array },
  idx: ArrayLike<number>,
  dim: number,
  C: number,
) {
  const n = idx.length;
  const features = new Float32Array(n * dim);
  const logits = new Float32Array(n * C);
  for (let i = 0; i < n; i++) {
    features.set(s.features.subarray(idx[i] * dim, (idx[i] + 1) * dim), i * dim);
    logits.set(s.logits.subarray(idx[i] * C, (idx[i] + 1) * C), i * C);
  }
  return { features, logits, n };
}

function featureSpaceProxy(h: Batch, rf: RunFeatures, rng: () => number): Batch {
  const { D, C, W, b } = rf;
  const features = new Float32Array(h.n * D);
  const logits = new Float32Array(h.n * C);
  for (let i = 0; i < h.n; i++) {
    const perm = shuffle(D, rng);
    for (let k = 0; k < D; k++) features[i * D + k] = h.features[i * D + perm[k]];
    for (let c = 0; c < C; c++) {
      let s = b[c];
      for (let k = 0; k < D; k++) s += features[i * D + k] * W[c * D + k];
      logits[i * C + c] = s;
    }
  }
  return { features, logits, n: h.n };
}

/** Up to `count` rows of a validation OOD set, a seeded random part of it (all of it when smaller), sorted. */
function validationPart(n: number, count: number, rng: () => number): Uint32Array {
  return n <= count ? iota(n) : shuffle(n, rng).subarray(0, count).slice().sort();
}

export function sweepSplit(rf: RunFeatures, labels: Int32Array, seed = 0): SweepSplit {
  const t = rf.idTrain;
  const rng = mulberry32(seed ^ 0x5eed);
  // The ID validation split held out of training: images never trained on behave like test images (held-out
  // train features of a trained net are more confident than test ones).
  const idVal = rf.idVal;
  let fitTrain: IdTrain;
  let heldOut: Batch;
  let heldText: string;
  let heldRows: SweepRows['heldOut'];
  if (idVal && idVal.n > 0) {
    fitTrain = { ...t, labels, dim: rf.D, classes: rf.C };
    heldOut = idVal;
    heldRows = { from: 'id_val', index: iota(idVal.n) };
    heldText = `${idVal.n} ID validation samples held out of training (detectors fitted on all ${t.n} ID train)`;
  } else {
    const perm = shuffle(t.n, rng);
    const nHeld = Math.max(1, Math.min(5000, Math.round(t.n * 0.1)));
    const held = perm.subarray(0, nHeld);
    const fitIdx = perm.subarray(nHeld).slice().sort();
    const fit = rows(t, fitIdx, rf.D, rf.C);
    fitTrain = { ...fit, labels: Int32Array.from(fitIdx, (i) => labels[i]), dim: rf.D, classes: rf.C };
    heldOut = rows(t, held, rf.D, rf.C);
    heldRows = { from: 'id_train', index: held.slice() };
    heldText = `${nHeld} ID train samples held out (detectors fitted on the other ${fitIdx.length})`;
  }
  const val = rf.validationOod;
  const valRows = val && validationPart(val.set.n, Math.max(heldOut.n, 1000), rng);
  const proxy: FeatureSet | Batch = val
    ? valRows!.length === val.set.n
      ? val.set
      : rows(val.set, valRows!, rf.D, rf.C)
    : (rf.proxy ?? featureSpaceProxy(heldOut, rf, rng));
  return {
    fitTrain,
    heldOut,
    proxy,
    rows: {
      heldOut: heldRows,
      proxy: val
        ? { from: 'ood', name: val.name, index: valRows! }
        : rf.proxy
          ? { from: 'proxy', n: rf.proxy.n }
          : { from: 'feature-space' },
    },
    description: {
      heldOut: heldText,
      proxy: val
        ? `${proxy.n} of the ${val.set.n} samples of the OOD set ${val.name} (not a test set)`
        : rf.proxy
          ? `${rf.proxy.n} patch-shuffled ID test images (ood_proxy made at extraction)`
          : `feature-space proxy: the held-out ID features with their coordinates permuted (no image proxy in the folder)`,
      validationOod: val ? val.name : 'proxy',
    },
  };
}

function gridPoints(grid: Partial<Record<keyof OodParams, number[]>>, fixed: OodParams): OodParams[] {
  let pts: OodParams[] = [{}];
  for (const [key, values] of Object.entries(grid) as [keyof OodParams, number[]][]) {
    if (fixed[key] !== undefined) continue;
    pts = pts.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return pts.map((p) => ({ ...fixed, ...p }));
}

/** The points to try, in grid order; null when the grid has nothing left to tune once `fixed` is applied. */
export function sweepPoints(
  grid: Partial<Record<keyof OodParams, number[]>>,
  fixed: OodParams,
): OodParams[] | null {
  const pts = gridPoints(grid, fixed);
  return pts.length <= 1 && Object.keys(grid).every((k) => fixed[k as keyof OodParams] !== undefined)
    ? null
    : pts;
}

export interface SweepOutcome {
  best: OodParams;
  points: { params: Record<string, number>; auroc: number; fpr95: number }[];
}

/** One grid point's validation scores: held-out ID and validation OOD, with the parameters actually used. */
export type ValidationScores = { params: Record<string, number>; id: Float64Array; ood: Float64Array };

/**
 * Scores every point on the validation split and keeps the best: the highest AUROC, then the lowest FPR@95, then
 * the first in grid order. Two points that end up with the same parameters (clamping) count once.
 */
export async function sweepGrid(
  pts: OodParams[],
  validate: (p: OodParams) => Promise<ValidationScores>,
  signal?: AbortSignal,
): Promise<SweepOutcome> {
  const points: SweepOutcome['points'] = [];
  let best: { p: OodParams; auroc: number; fpr95: number } | null = null;
  for (const p of pts) {
    signal?.throwIfAborted();
    const v = await validate(p);
    const m = computeMetrics(v.id, v.ood);
    const used = { ...v.params };
    // Clamping (e.g. D >= dim) can map two grid values to one: keep the first.
    if (points.some((q) => JSON.stringify(q.params) === JSON.stringify(used))) continue;
    points.push({ params: used, auroc: m.auroc, fpr95: m.fpr95 });
    if (!best || m.auroc > best.auroc || (m.auroc === best.auroc && m.fpr95 < best.fpr95))
      best = { p: used, auroc: m.auroc, fpr95: m.fpr95 };
  }
  return { best: best!.p, points };
}

/** Null when the method has nothing left to tune once `fixed` is applied. */
export async function sweepMethod(
  method: FeatureMethod,
  fixed: OodParams,
  split: SweepSplit,
  rf: RunFeatures,
  signal?: AbortSignal,
): Promise<SweepOutcome | null> {
  const pts = sweepPoints(methods[method].grid, fixed);
  if (!pts) return null;
  return sweepGrid(
    pts,
    async (p) => {
      const det = methods[method].create(p);
      await det.fit(split.fitTrain, rf.W, rf.b);
      return { params: det.params, id: await det.score(split.heldOut), ood: await det.score(split.proxy) };
    },
    signal,
  );
}
