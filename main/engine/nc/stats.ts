// Class statistics of a labelled feature set, in float64: the class means, the global mean and the centred class
// means M (C x D) that every Neural Collapse metric is stated in. Papyan et al. 2020 take the global mean over all
// samples (weighted by class size) and average Sb over classes; so do we. Inputs that make the metrics meaningless
// (a label out of range, an empty class, fewer than two classes) are refused with a clear message.
import { OodlabError } from '../../../common/contract';
import type { Rows } from './kernels';

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
  /** C x D class means. */
  means: Float64Array;
  /** D: mean of all samples. */
  globalMean: Float64Array;
  /** C x D: means minus the global mean (the rows of M). */
  centred: Float64Array;
}

export function classStats(
  x: Rows,
  labels: Int32Array,
  n: number,
  D: number,
  C: number,
  what = 'features',
  centring: Centring = 'sample',
): ClassStats {
  if (C < 2) throw new OodlabError('invalid_request', `Neural Collapse needs at least 2 classes (got ${C}).`);
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
  if (empty.length)
    throw new OodlabError(
      'invalid_request',
      `Class${empty.length > 1 ? 'es' : ''} ${empty.slice(0, 10).join(', ')}${empty.length > 10 ? ', ...' : ''} ` +
        `ha${empty.length > 1 ? 've' : 's'} no samples in the ${what}: every class needs at least one.`,
    );
  const means = new Float64Array(C * D);
  const globalMean = new Float64Array(D);
  for (let c = 0; c < C; c++)
    for (let k = 0; k < D; k++) {
      means[c * D + k] = sums[c * D + k] / counts[c];
      globalMean[k] += centring === 'classes' ? means[c * D + k] / C : sums[c * D + k] / n;
    }
  const centred = new Float64Array(C * D);
  for (let c = 0; c < C; c++)
    for (let k = 0; k < D; k++) centred[c * D + k] = means[c * D + k] - globalMean[k];
  return { C, D, n, counts, means, globalMean, centred };
}

/** Squared Euclidean norm of each of the `rows` rows of a row-major matrix. */
export function rowNorms2(m: ArrayLike<number>, rows: number, dim: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += m[r * dim + k] * m[r * dim + k];
    out[r] = s;
  }
  return out;
}

/** a (R x dim) times b' (S x dim): the R x S matrix of row dot products, float64. */
export function rowDotMatrix(
  a: ArrayLike<number>,
  R: number,
  b: ArrayLike<number>,
  S: number,
  dim: number,
): Float64Array {
  const out = new Float64Array(R * S);
  for (let r = 0; r < R; r++)
    for (let s = 0; s < S; s++) {
      let v = 0;
      for (let k = 0; k < dim; k++) v += a[r * dim + k] * b[s * dim + k];
      out[r * S + s] = v;
    }
  return out;
}
