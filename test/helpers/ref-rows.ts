// Float64 statistics of feature rows (number[][]), written plainly for the detector tests to check against.
import { EigenvalueDecomposition, Matrix, pseudoInverse } from 'ml-matrix';

/** The mean of the rows, per column. */
export function columnMean(rows: number[][]): number[] {
  const dim = rows[0].length;
  return Array.from({ length: dim }, (_, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length);
}

/** The covariance of the rows about a centre per row (the class mean, the global mean, zero), divided by n. */
export function covarianceAbout(rows: number[][], centre: (i: number) => number[]): Matrix {
  const dim = rows[0].length;
  const S = Matrix.zeros(dim, dim);
  rows.forEach((r, i) => {
    const d = r.map((v, k) => v - centre(i)[k]);
    for (let a = 0; a < dim; a++)
      for (let c = 0; c < dim; c++) S.set(a, c, S.get(a, c) + (d[a] * d[c]) / rows.length);
  });
  return S;
}

/** The origin ViM and Residual measure from: u = -pinv(W) b, for classifier rows W and bias b. */
export function classifierOrigin(W: number[][], b: ArrayLike<number>): number[] {
  return pseudoInverse(new Matrix(W))
    .mmul(Matrix.columnVector(Array.from(b)))
    .to1DArray()
    .map((v) => -v);
}

/** ||h - u|| projected off the `keep` principal directions of the rows about u (ViM's and Residual's residual):
 * the covariance's eigenvectors beyond the `keep` largest eigenvalues span the space measured. */
export function residualNorm(rows: number[][], u: number[], keep: number): (h: number[]) => number {
  const e = new EigenvalueDecomposition(
    covarianceAbout(rows, () => u),
    { assumeSymmetric: true },
  );
  const order = e.realEigenvalues
    .map((v, j) => [v, j])
    .sort((p, q) => q[0] - p[0])
    .map((p) => p[1]);
  const null_ = order.slice(keep).map((j) => e.eigenvectorMatrix.getColumn(j));
  return (h) => {
    const d = h.map((x, k) => x - u[k]);
    return Math.sqrt(null_.reduce((s, v) => s + d.reduce((t, x, k) => t + x * v[k], 0) ** 2, 0));
  };
}

/** The logits f W' + b of m rows of flat features (W: C x dim, row-major), summed in float64 and stored as float32. */
export function linearLogits(f: Float32Array, m: number, W: Float32Array, b: Float32Array): Float32Array {
  const C = b.length;
  const dim = W.length / C;
  return Float32Array.from({ length: m * C }, (_, j) => {
    const i = Math.floor(j / C), c = j % C; // prettier-ignore
    let s = b[c];
    for (let k = 0; k < dim; k++) s += f[i * dim + k] * W[c * dim + k];
    return s;
  });
}
