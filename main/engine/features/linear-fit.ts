// The classifier (W, b) of an imported model whose graph does not end in a readable Gemm / MatMul + Add, but whose
// user named its penultimate features: the least-squares map from features to logits, [W b] = argmin ||[H 1] T - L||,
// solved through the normal equations in float64 with Cholesky (features centred; a tiny ridge, 1e-10 of the mean diagonal, keeps it
// positive definite when features are collinear). Exact when the head is linear; `residual` says how far it is.
import { cholesky, choleskySolve } from '../linalg/eigh';

export interface LinearFit {
  W: Float32Array; // (C, D)
  b: Float32Array; // (C)
  /** max |[H 1] T - L| / max |L| over the rows used. */
  residual: number;
}

export function fitLinearHead(H: Float32Array, L: Float32Array, n: number, D: number, C: number): LinearFit {
  const rows = Math.min(n, 10000);
  const P = D + 1;
  const A = new Float64Array(P * P);
  const B = new Float64Array(P * C);
  const x = new Float64Array(P);
  // centring the features first keeps the normal equations well conditioned (ReLU features share a large offset)
  const mu = new Float64Array(D);
  for (let i = 0; i < rows; i++) for (let k = 0; k < D; k++) mu[k] += H[i * D + k] / rows;
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < D; k++) x[k] = H[i * D + k] - mu[k];
    x[D] = 1;
    for (let p = 0; p < P; p++) {
      const xp = x[p];
      if (xp === 0) continue;
      for (let q = p; q < P; q++) A[p * P + q] += xp * x[q];
      for (let c = 0; c < C; c++) B[p * C + c] += xp * L[i * C + c];
    }
  }
  let trace = 0;
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < p; q++) A[p * P + q] = A[q * P + p];
    trace += A[p * P + p];
  }
  const ridge = (1e-10 * trace) / P || 1e-12;
  for (let p = 0; p < P; p++) A[p * P + p] += ridge;
  // Cholesky A = L L', then two triangular solves per column of B (the ridge keeps every pivot positive)
  const T = choleskySolve(
    cholesky(A, P, (s) => Math.max(s, 1e-300))!,
    P,
    B,
    C,
  );
  const W = new Float32Array(C * D);
  const b = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let bc = T[D * C + c];
    for (let k = 0; k < D; k++) {
      W[c * D + k] = T[k * C + c];
      bc -= T[k * C + c] * mu[k];
    }
    b[c] = bc;
  }
  let err = 0;
  let mag = 0;
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < C; c++) {
      let s = b[c];
      for (let k = 0; k < D; k++) s += H[i * D + k] * W[c * D + k];
      err = Math.max(err, Math.abs(s - L[i * C + c]));
      mag = Math.max(mag, Math.abs(L[i * C + c]));
    }
  return { W, b, residual: mag > 0 ? err / mag : err };
}
