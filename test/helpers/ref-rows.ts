// Float64 statistics of feature rows (number[][]), written plainly for the detector tests to check against.
import { Matrix } from 'ml-matrix';

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
