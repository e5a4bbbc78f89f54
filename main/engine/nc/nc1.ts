// NC1 = Tr(Sw Sb^+) / C without any D x D matrix.
//
// With M the C x D centred class means, Sb = M'M / C. Write M = U S V' (thin SVD, rank r <= C-1). Then
// Sb^+ = C V S^-2 V', and with v_k = M' u_k / s_k,
//     NC1 = Tr(Sw Sb^+) / C = sum_k v_k' Sw v_k / s_k^2 = sum_k u_k' G u_k / s_k^4,   G = M Sw M'  (C x C).
// G = (1/N) sum_i q_i q_i' with q_i = M (h_i - mu_{y_i}), which the blocked kernel produces in one pass; the SVD is
// of a C x D matrix. Directions with s_k^2 <= SB_RTOL * s_max^2 are dropped, as a pseudo-inverse with that relative
// cut-off on the eigenvalues of Sb would; the test checks this against ml-matrix's pseudoInverse of the D x D Sb.
import { SVD, Matrix } from 'ml-matrix';
import { OodlabError } from '../../../common/contract';
import type { ClassStats } from '../linalg/class-stats';
import { gram } from '../linalg/kernels';

/** Relative cut-off on the eigenvalues of Sb below which a direction counts as outside its range. */
export const SB_RTOL = 1e-10;

export interface Nc1 {
  nc1: number;
  trSw: number;
  trSb: number;
  rankSb: number;
}

/** Left singular vectors (C x C, column-major in a Matrix) and singular values of the centred means. */
export function meansSvd(st: ClassStats): { U: Matrix; s: number[] } {
  const M = Matrix.from1DArray(st.C, st.D, st.centred);
  const svd = new SVD(M, { autoTranspose: true, computeRightSingularVectors: false });
  return { U: svd.leftSingularVectors, s: svd.diagonal };
}

/**
 * q: n x C, q_i = M (h_i - mu_{y_i}); dev2: sum over samples of ||h_i - mu_{y_i}||^2.
 */
export function nc1FromProjections(st: ClassStats, q: Float64Array, dev2: number): Nc1 {
  const { C, n } = st;
  const G = gram(q, n, C);
  for (let i = 0; i < C * C; i++) G[i] /= n;
  const { U, s } = meansSvd(st);
  const smax2 = Math.max(0, ...s) ** 2;
  let trSb = 0;
  for (const v of s) trSb += (v * v) / C;
  if (!(smax2 > 0))
    throw new OodlabError(
      'invalid_request',
      'All class means coincide (the between-class scatter Sb is zero): NC1 is undefined.',
    );
  let nc1 = 0;
  let rank = 0;
  const u = new Float64Array(C);
  for (let k = 0; k < s.length; k++) {
    const l = s[k] * s[k];
    if (l <= SB_RTOL * smax2) continue;
    rank++;
    for (let a = 0; a < C; a++) u[a] = U.get(a, k);
    let quad = 0;
    for (let a = 0; a < C; a++) {
      let t = 0;
      for (let b = 0; b < C; b++) t += G[a * C + b] * u[b];
      quad += u[a] * t;
    }
    nc1 += quad / (l * l);
  }
  return { nc1, trSw: dev2 / n, trSb, rankSb: rank };
}
