// The geometry behind NC2/NC3, in the form the Collapse page plots it:
// - the C x C cosine matrices of the centred class means and of the classifier rows, and their Frobenius distance
//   to the ideal simplex-ETF Gram of unit vectors, I*C/(C-1) - 11'/(C-1);
// - the class means on their first 3 principal axes, the classifier rows on the same axes (rescaled to the means'
//   Frobenius norm, so self-duality shows as overlap), and the nearest simplex ETF for comparison.
// "Nearest" is orthogonal Procrustes: with E = sqrt(C/(C-1)) (I - 11'/C) (rows: a unit simplex ETF), the rotation
// R = A B' from the SVD E'M = A S B', and the least-squares scale s = tr(S)/C, s E R is the ETF closest to M in
// Frobenius norm; projected on the same axes it shows how far the means are from collapse.
import { Matrix, SVD } from 'ml-matrix';
import type { NcGeometry } from '../../../common/contract/nc';
import type { Rows } from '../linalg/rows';
import type { NcInput } from './metrics';
import { cosineMatrix } from './metrics';
import type { ClassStats } from '../linalg/class-stats';
import { ncClassStats } from './core';

const AXES = 3;

function nested(m: Float64Array, R: number, S: number): number[][] {
  return Array.from({ length: R }, (_, r) => Array.from(m.subarray(r * S, (r + 1) * S)));
}

/** ||cos - (I*C/(C-1) - 11'/(C-1))||_F for a C x C cosine matrix. */
export function etfDistance(cos: Float64Array, C: number): number {
  let d = 0;
  for (let r = 0; r < C; r++)
    for (let s = 0; s < C; s++) d += (cos[r * C + s] - (r === s ? 1 : -1 / (C - 1))) ** 2;
  return Math.sqrt(d);
}

/** Rows minus their (unweighted) average, as a Matrix. */
function centreRows(m: Rows | Float64Array, C: number, D: number): Matrix {
  const out = Matrix.from1DArray(C, D, Float64Array.from(m));
  const avg = out.mean('column');
  for (let r = 0; r < C; r++) for (let k = 0; k < D; k++) out.set(r, k, out.get(r, k) - avg[k]);
  return out;
}

/** Coordinates (C x AXES) of the rows of m on the first AXES columns of V, zero-padded when V has fewer. */
function project(m: Matrix, V: Matrix): number[][] {
  const k = Math.min(AXES, V.columns);
  const p = m.mmul(V.subMatrix(0, V.rows - 1, 0, k - 1));
  return Array.from({ length: m.rows }, (_, r) =>
    Array.from({ length: AXES }, (_, a) => (a < k ? p.get(r, a) : 0)),
  );
}

/** s E R: the simplex ETF nearest to M (C x D) in Frobenius norm, over rotations and one scale. */
export function nearestEtf(M: Matrix): Matrix {
  const C = M.rows;
  const alpha = Math.sqrt(C / (C - 1));
  const E = Matrix.eye(C, C).sub(Matrix.ones(C, C).div(C)).mul(alpha);
  const svd = new SVD(E.transpose().mmul(M), { autoTranspose: true });
  const k = svd.diagonal.length;
  const A = svd.leftSingularVectors.subMatrix(0, C - 1, 0, k - 1);
  const B = svd.rightSingularVectors.subMatrix(0, M.columns - 1, 0, k - 1);
  const scale = svd.diagonal.reduce((s, v) => s + v, 0) / C;
  return E.mmul(A.mmul(B.transpose())).mul(scale);
}

export function computeGeometry(
  f: Pick<NcInput, 'W' | 'C' | 'D' | 'idTrain'>,
  stats?: ClassStats,
): NcGeometry {
  const { C, D, W } = f;
  const st = stats ?? ncClassStats({ ...f.idTrain, labels: f.idTrain.labels ?? new Int32Array(0) }, D, C);
  const cosM = cosineMatrix(st.centred, C, D);
  const cosW = cosineMatrix(W, C, D);

  const M = centreRows(st.centred, C, D);
  const svd = new SVD(M, { autoTranspose: true });
  const total = svd.diagonal.reduce((s, v) => s + v * v, 0);
  const explained = Array.from({ length: AXES }, (_, a) =>
    total > 0 ? (svd.diagonal[a] ?? 0) ** 2 / total : 0,
  );
  const V = svd.rightSingularVectors;
  const Wc = centreRows(W, C, D);
  const wn = Wc.norm('frobenius');
  const Ws = wn > 0 ? Wc.mul(M.norm('frobenius') / wn) : Wc;
  return {
    classes: C,
    cosMeans: nested(cosM, C, C),
    cosClassifier: nested(cosW, C, C),
    etfDistanceMeans: etfDistance(cosM, C),
    etfDistanceClassifier: etfDistance(cosW, C),
    pca: { explained, means: project(M, V), classifier: project(Ws, V), etf: project(nearestEtf(M), V) },
  };
}
