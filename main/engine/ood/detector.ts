// The fixed interface every OOD detector implements (pytorch-ood / OpenOOD style): fit once on ID train features,
// then score any batch. This file is the one place the sign convention is stated:
//
//   SCORE CONVENTION: higher score = more in-distribution (OpenOOD's "ID samples have larger conf").
//
// Every detector returns scores in that sense, and metrics.ts treats ID as the positive class accordingly.
import { OodlabError } from '../../../common/contract/errors';
import type { OodMethod } from '../../../common/contract/ood';

export const SCORE_CONVENTION = 'higher score = more in-distribution (ID is the positive class)';

/** ID train features: what detectors are fitted on. Labels are the ground-truth classes. */
export interface IdTrain {
  features: Float32Array;
  logits: Float32Array;
  labels: Int32Array;
  n: number;
  dim: number;
  classes: number;
}

export interface Batch {
  features: Float32Array;
  logits: Float32Array;
  n: number;
}

export type Params = Record<string, number>;

export interface Detector {
  readonly method: OodMethod;
  /** The hyper-parameters this detector actually uses (after defaults and clamping). */
  readonly params: Params;
  /** W: classes x dim row-major, b: classes. */
  fit(idTrain: IdTrain, W: Float32Array, b: Float32Array): Promise<void>;
  score(batch: Batch): Promise<Float64Array>;
}

export function notFitted(method: OodMethod): OodlabError {
  return new OodlabError(
    'failed',
    `The ${method} detector must be fitted on ID train features before it can score.`,
  );
}

export function checkBatch(method: OodMethod, dim: number, classes: number, b: Batch): void {
  if (b.features.length !== b.n * dim || b.logits.length !== b.n * classes)
    throw new OodlabError(
      'invalid_request',
      `${method}: a batch of ${b.n} needs ${b.n}x${dim} features and ${b.n}x${classes} logits.`,
    );
}

/** max over classes of each logit row. */
export function maxLogit(logits: ArrayLike<number>, n: number, C: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, logits[i * C + c]);
    out[i] = m;
  }
  return out;
}

/** T * logsumexp(logits / T) per row, computed stably (shifted by the row max). */
export function logSumExp(logits: ArrayLike<number>, n: number, C: number, T = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, logits[i * C + c] / T);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(logits[i * C + c] / T - m);
    out[i] = T * (m + Math.log(s));
  }
  return out;
}

/** What a detector learned on ID train, with the shapes it was fitted on. */
export type Fitted<S> = S & { dim: number; C: number };

/**
 * The frame every detector file fills in: fit keeps what `learn` returns for ID train (and W, b) together with its
 * shapes; score refuses to run before fit (notFitted), checks the batch against those shapes (checkBatch) and
 * hands it to `scoreBatch`. The formula lives in the two functions a detector passes here.
 */
export function defineDetector<S extends object>(
  method: OodMethod,
  params: Params,
  learn: (t: IdTrain, W: Float32Array, b: Float32Array) => S | Promise<S>,
  scoreBatch: (b: Batch, f: Fitted<S>) => Float64Array | Promise<Float64Array>,
): Detector {
  let fitted: Fitted<S> | null = null;
  return {
    method,
    params,
    async fit(t, W, b) {
      fitted = { ...(await learn(t, W, b)), dim: t.dim, C: t.classes };
    },
    async score(b) {
      if (!fitted) throw notFitted(method);
      checkBatch(method, fitted.dim, fitted.C, b);
      return scoreBatch(b, fitted);
    },
  };
}

/** Learns nothing: for detectors that score the batch alone (MSP, Max Logit, Energy, GradNorm). */
export const nothingToLearn = () => ({});

/** The per-row scores f(0), ..., f(n - 1) of a batch of n rows. */
export function perRow(n: number, f: (i: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}
