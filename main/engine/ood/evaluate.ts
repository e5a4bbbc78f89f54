// The evaluator: features in, OodResults out. Each detector is fitted once on ID train and scores ID test and every
// OOD set from the same cached features (never re-extracting); hyper-parameters the caller does not fix are picked
// by sweep.ts, away from the test OOD sets. Every result carries the parameters it was computed with.
import { OodlabError } from '../../../common/contract/errors';
import type { OodMethod, OodMethodResult, OodParams, OodResults } from '../../../common/contract/ood';
import type { RunFeatures } from '../features/store';
import { SCORE_CONVENTION, type IdTrain } from './detector';
import { argmaxRows } from '../linalg/kernels';
import { computeMetrics, histograms, rocPoints } from './metrics';
import { isFeatureMethod, methodNames, methods, type FeatureMethod } from './registry';
import { NO_SWEEP } from './results';
import { sweepMethod, sweepSplit, type SweepSplit } from './sweep';

export interface EvaluateOptions {
  methods?: OodMethod[];
  /** Fixed hyper-parameters; the rest are swept unless noSweep. */
  params?: OodParams;
  noSweep?: boolean;
  /** Make the validation split even when no feature method sweeps (ODIN, swept by the caller on its images). */
  splitForOthers?: boolean;
  seed?: number;
  signal?: AbortSignal;
  progress?: (fraction: number, message: string) => void;
}

export type Scores = Record<string, { id: Float64Array; ood: Record<string, Float64Array> }>;

export type Evaluation = Pick<
  OodResults,
  'idTrain' | 'idTest' | 'dim' | 'classes' | 'oodSets' | 'selection' | 'methods' | 'notes' | 'scoreConvention'
> & {
  scores: Scores;
  /** The validation split the sweeps used (null without a sweep), for ODIN to validate on the same samples. */
  split: SweepSplit | null;
};

/** Finite inputs can still score NaN (e.g. an overflow in a detector): say which file's row, not just "NaN". */
function requireScores(scores: Float64Array, label: string, file: string): Float64Array {
  const row = scores.findIndex((v) => Number.isNaN(v));
  if (row >= 0)
    throw new OodlabError(
      'failed',
      `${label} scores NaN on row ${row} of ${file}: check that row's features.`,
    );
  return scores;
}

const secondsSince = (t0: number) => (performance.now() - t0) / 1000;

export async function evaluateFeatures(rf: RunFeatures, o: EvaluateOptions = {}): Promise<Evaluation> {
  // ODIN (network-based) is the caller's business (task.ts); everything else is computed here from features.
  const chosen = (o.methods ?? methodNames).filter(isFeatureMethod);
  const fixed = o.params ?? {};
  const notes: string[] = [];
  let labels = rf.idTrain.labels;
  if (!labels) {
    labels = argmaxRows(rf.idTrain.logits, rf.idTrain.n, rf.C);
    notes.push('id_train_labels.npy is missing: class statistics use the predicted classes of ID train.');
  }
  const idTrain: IdTrain = { ...rf.idTrain, labels };
  const oodNames = Object.keys(rf.ood);
  if (!oodNames.length) throw new RangeError('No OOD sets to evaluate against.');

  let split: SweepSplit | null = null;
  const needsSweep = (m: FeatureMethod) =>
    !o.noSweep && Object.keys(methods[m].grid).some((k) => fixed[k as keyof OodParams] === undefined);
  if (chosen.some(needsSweep) || (!o.noSweep && o.splitForOthers)) {
    split = sweepSplit(rf, labels, o.seed);
    if (!rf.proxy && !rf.validationOod)
      notes.push(`Hyper-parameters were picked against a ${split.description.proxy}.`);
  }

  const results: OodMethodResult[] = [];
  const scores: Scores = {};
  for (const [mi, name] of chosen.entries()) {
    o.signal?.throwIfAborted();
    const base = mi / chosen.length;
    o.progress?.(base, `${methods[name].label}: ${split && needsSweep(name) ? 'sweep' : 'fit'}`);
    const sweep = split && needsSweep(name) ? await sweepMethod(name, fixed, split, rf, o.signal) : null;
    const params: OodParams = { ...fixed, ...(sweep?.best ?? {}) };
    const det = methods[name].create(params);
    let t0 = performance.now();
    await det.fit(idTrain, rf.W, rf.b);
    const fit = secondsSince(t0);
    o.progress?.(base + 0.7 / chosen.length, `${methods[name].label}: score`);
    t0 = performance.now();
    const id = requireScores(await det.score(rf.idTest), methods[name].label, 'id_test_features.npy');
    const ood: Record<string, Float64Array> = {};
    for (const s of oodNames)
      ood[s] = requireScores(await det.score(rf.ood[s]), methods[name].label, `ood_${s}_features.npy`);
    const score = secondsSince(t0);
    scores[name] = { id, ood };
    const own = Object.keys(methods[name].grid);
    results.push({
      method: name,
      label: methods[name].label,
      paper: methods[name].paper,
      params: { ...det.params },
      paramSource: sweep
        ? 'sweep'
        : own.some((k) => fixed[k as keyof OodParams] !== undefined)
          ? 'user'
          : 'default',
      datasets: Object.fromEntries(
        oodNames.map((s) => [s, { metrics: computeMetrics(id, ood[s]), roc: rocPoints(id, ood[s]) }]),
      ),
      histogram: histograms(id, ood),
      sweep: sweep?.points,
      seconds: { fit, score },
    });
  }
  o.progress?.(1, 'done');
  return {
    idTrain: rf.idTrain.n,
    idTest: rf.idTest.n,
    dim: rf.D,
    classes: rf.C,
    oodSets: Object.fromEntries(oodNames.map((s) => [s, rf.ood[s].n])),
    selection: split?.description ?? { heldOut: NO_SWEEP, proxy: NO_SWEEP, validationOod: NO_SWEEP },
    methods: results,
    notes,
    scoreConvention: SCORE_CONVENTION,
    scores,
    split,
  };
}
