import { Matrix, QrDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { computeGeometry, etfDistance, nearestEtf } from '../../../../main/engine/nc/geometry';
import { cosineMatrix } from '../../../../main/engine/nc/metrics';
import { etfRows, gaussian, randomProblem, toInput } from '../../../helpers/nc/fixtures';

const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));

/** A random D x D orthogonal matrix (Q of a Gaussian matrix's QR). */
function rotation(D: number, seed: number): Matrix {
  const g = gaussian(seed);
  return new QrDecomposition(Matrix.from1DArray(D, D, Array.from({ length: D * D }, g))).orthogonalMatrix;
}

describe('etfDistance', () => {
  it('is 0 for the ideal Gram and sqrt(C/(C-1)) for orthonormal rows (hand-worked)', () => {
    const C = 5;
    const ideal = Float64Array.from({ length: C * C }, (_, i) => (i % (C + 1) === 0 ? 1 : -1 / (C - 1)));
    const eye = Float64Array.from({ length: C * C }, (_, i) => (i % (C + 1) === 0 ? 1 : 0));
    expect(etfDistance(ideal, C)).toBe(0);
    // C(C-1) off-diagonal entries each off by 1/(C-1)
    expect(etfDistance(eye, C)).toBeCloseTo(Math.sqrt(C / (C - 1)), 12);
  });
});

describe('nearestEtf', () => {
  it('gives back a rotated, scaled ETF exactly, and a near one under noise', () => {
    const C = 6;
    const D = 8;
    const Q = rotation(D, 11);
    const truth = new Matrix(etfRows(C, D, 2.5)).mmul(Q);
    expect(Matrix.sub(nearestEtf(truth), truth).norm('frobenius')).toBeLessThan(1e-10);
    const g = gaussian(12);
    const noisy = Matrix.add(
      truth,
      Matrix.from1DArray(
        C,
        D,
        Array.from({ length: C * D }, () => 0.01 * g()),
      ),
    );
    const e = nearestEtf(noisy);
    expect(Matrix.sub(e, truth).norm('frobenius')).toBeLessThan(0.05);
    // and what it returns is itself an ETF: unit-Gram distance 0, equal norms
    expect(etfDistance(cosineMatrix(e.to1DArray(), C, D), C)).toBeLessThan(1e-10);
  });
});

describe('computeGeometry', () => {
  it('on an exact ETF: zero distance to the ideal Gram, and means, classifier and ETF coincide on the PCA axes', () => {
    const C = 4;
    const rows = etfRows(C, 6, 3);
    const geo = computeGeometry(
      toInput({ X: rows, y: [0, 1, 2, 3], Xt: rows, yt: [0, 1, 2, 3], W: rows, b: [0, 0, 0, 0] }),
    );
    expect(geo.etfDistanceMeans).toBeLessThan(1e-6);
    expect(geo.etfDistanceClassifier).toBeLessThan(1e-6);
    // C = 4 means span 3 dims: the 3 axes hold everything, equally (a regular tetrahedron)
    for (const e of geo.pca.explained) expect(e).toBeCloseTo(1 / 3, 6);
    for (let c = 0; c < C; c++) {
      expect(dist(geo.pca.means[c], geo.pca.classifier[c])).toBeLessThan(1e-6);
      expect(dist(geo.pca.means[c], geo.pca.etf[c])).toBeLessThan(1e-6);
    }
  });

  it('PCA coordinates keep the distances between class means when they span <= 3 dims, cosines match', () => {
    const prob = randomProblem(21, 4, 10, [15, 15, 15, 15]);
    const geo = computeGeometry(toInput(prob));
    const mu = [0, 1, 2, 3].map((c) => {
      const rows = prob.X.filter((_, i) => prob.y[i] === c);
      return prob.X[0].map((_, k) => rows.reduce((s, x) => s + x[k], 0) / rows.length);
    });
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 4; b++) {
        expect(dist(geo.pca.means[a], geo.pca.means[b])).toBeCloseTo(dist(mu[a], mu[b]), 4);
        expect(geo.cosMeans[a][b]).toBeCloseTo(geo.cosMeans[b][a], 12);
      }
    expect(geo.pca.explained.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(geo.cosMeans[2][2]).toBeCloseTo(1, 12);
  });
});
