// Mahalanobis distance to the nearest class mean with one tied covariance. Lee, Lee, Lee & Shin, "A Simple Unified
// Framework for Detecting Out-of-Distribution Samples and Adversarial Attacks", NeurIPS 2018 (OpenOOD
// `mds_postprocessor.py`, without input pre-processing or feature ensembles).
//   mu_c = class means of ID train;  S = (1/N) sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})';  P = S^+ (pseudo-inverse)
//   score(h) = max_c -(h - mu_c)' P (h - mu_c)
// (OpenOOD reports -1/2 of the same quantity: the ranking, hence every metric, is identical.)
// Computed as -( ||A(h-m)||^2 + min_c [q_c - 2 b_c.(h-m)] ) with P = A'A, b_c = P(mu_c - m), q_c = ||A(mu_c - m)||^2:
// one projection of h onto dim + C directions instead of C quadratic forms. A is R^-1 (Cholesky of S) or, when S is
// singular, diag(lambda^+)^1/2 V' from its eigen-decomposition, so a singular covariance never yields NaN.
import { defineDetector, type Detector } from './detector';
import { choleskyInverse, eigh } from '../linalg/eigh';
import { projectChunks } from '../linalg/gemm';
import { trainStats } from './stats';

export const mahalanobisSpec = {
  label: 'Mahalanobis',
  paper: 'Lee et al., NeurIPS 2018',
  defaults: {},
  grid: {},
};

export function factor(S: Float64Array, dim: number): Float64Array {
  const chol = choleskyInverse(S, dim);
  if (chol) return chol;
  const { values, vectors } = eigh(S, dim);
  const max = Math.max(...values.map(Math.abs));
  const A = new Float64Array(dim * dim);
  for (let r = 0; r < dim; r++) {
    const lam = values[r];
    const w = lam > 1e-15 * Math.max(10, dim) * max ? 1 / Math.sqrt(lam) : 0;
    for (let k = 0; k < dim; k++) A[r * dim + k] = w * vectors[r * dim + k];
  }
  return A;
}

export function createMahalanobis(): Detector {
  return defineDetector(
    'mahalanobis',
    {},
    async (t) => {
      const st = trainStats(t);
      const { D: dim, C, globalMean: mean } = st;
      const S = Float64Array.from(await st.within()).map((v) => v / st.n);
      const A = factor(S, dim);
      // dim rows of A, then C rows b_c
      const rows = new Float64Array((dim + C) * dim);
      rows.set(A);
      const q = new Float64Array(C);
      const a = new Float64Array(dim);
      const d = new Float64Array(dim);
      for (let c = 0; c < C; c++) {
        for (let k = 0; k < dim; k++) d[k] = st.means[c * dim + k] - mean[k];
        for (let r = 0; r < dim; r++) {
          let s = 0;
          for (let k = 0; k < dim; k++) s += A[r * dim + k] * d[k];
          a[r] = s;
          q[c] += s * s;
        }
        const bo = (dim + c) * dim;
        for (let r = 0; r < dim; r++) {
          const ar = a[r];
          if (ar !== 0) for (let k = 0; k < dim; k++) rows[bo + k] += ar * A[r * dim + k];
        }
      }
      return { mean, rows, q, present: Uint8Array.from(st.counts, (n) => (n > 0 ? 1 : 0)) };
    },
    async (b, { dim, C, mean, rows, q, present }) => {
      const out = new Float64Array(b.n);
      const R = dim + C;
      await projectChunks({ x: b.features, n: b.n, dim, shift: mean }, rows, R, (start, count, y) => {
        for (let i = 0; i < count; i++) {
          const o = i * R;
          let y2 = 0;
          for (let r = 0; r < dim; r++) y2 += y[o + r] * y[o + r];
          let best = Infinity;
          for (let c = 0; c < C; c++) if (present[c]) best = Math.min(best, q[c] - 2 * y[o + dim + c]);
          out[start + i] = -(y2 + best);
        }
      });
      return out;
    },
  );
}
