// Each detector against an independent float64 reference written here from the paper's formula (ml-matrix for
// inverses and eigen-decompositions), on a small hand-made set.
import { EigenvalueDecomposition, inverse, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { mulberry32, gaussian } from '../../../../main/engine/data/rng';
import type { Batch, IdTrain } from '../../../../main/engine/ood/detector';
import { createDetector } from '../../../../main/engine/ood/registry';
import {
  classifierOrigin,
  columnMean,
  covarianceAbout,
  linearLogits,
  residualNorm,
} from '../../../helpers/ref-rows';

const n = 90, dim = 6, C = 3; // prettier-ignore
const rng = mulberry32(7);
const g = () => gaussian(rng);
const centres = [0, 1, 2].map(() => Array.from({ length: dim }, () => 3 * g()));
function makeSet(m: number, ood = false) {
  const features = new Float32Array(m * dim);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    labels[i] = i % C;
    for (let k = 0; k < dim; k++) features[i * dim + k] = (ood ? 0 : centres[i % C][k]) + (1 + k * 0.3) * g();
  }
  return { features, labels };
}
const W = Float32Array.from({ length: C * dim }, () => g());
const b = Float32Array.from({ length: C }, () => g());
const logitsOf = (f: Float32Array, m: number) => linearLogits(f, m, W, b);
const tr = makeSet(n);
const train: IdTrain = { ...tr, logits: logitsOf(tr.features, n), n, dim, classes: C };
const te = makeSet(20, true);
const batch: Batch = { features: te.features, logits: logitsOf(te.features, 20), n: 20 };

const row = (f: Float32Array, i: number) => Array.from(f.subarray(i * dim, (i + 1) * dim));
const logitRow = (i: number, s: { logits: Float32Array }) =>
  Array.from(s.logits.subarray(i * C, (i + 1) * C));
const lse = (l: number[]) => Math.log(l.reduce((a, v) => a + Math.exp(v), 0));
const dot = (a: number[], c: number[]) => a.reduce((s, v, i) => s + v * c[i], 0);
const trainRows = Array.from({ length: n }, (_, i) => row(train.features, i));
const mean = columnMean(trainRows);

const references: Record<string, (i: number) => number> = {
  msp: (i) => Math.exp(Math.max(...logitRow(i, batch)) - lse(logitRow(i, batch))),
  maxlogit: (i) => Math.max(...logitRow(i, batch)),
  energy: (i) => 2 * lse(logitRow(i, batch).map((v) => v / 2)),
};
{
  const mus = [0, 1, 2].map((c) =>
    Array.from(
      { length: dim },
      (_, k) => trainRows.filter((_, i) => i % C === c).reduce((s, r) => s + r[k], 0) / (n / C),
    ),
  );
  const P = inverse(covarianceAbout(trainRows, (i) => mus[i % C]));
  references.mahalanobis = (i) => {
    const h = row(batch.features, i);
    return Math.max(...mus.map((mu) => { const d = h.map((v, k) => v - mu[k]); return -dot(d, P.mmul(Matrix.columnVector(d)).to1DArray()); })); // prettier-ignore
  };
}
{
  const Wrows = Array.from({ length: C }, (_, c) => Array.from(W.subarray(c * dim, (c + 1) * dim)));
  const resid = residualNorm(trainRows, classifierOrigin(Wrows, b), 3); // D = 3
  const alpha =
    trainRows.reduce((s, _, i) => s + Math.max(...logitRow(i, train)), 0) /
    trainRows.reduce((s, r) => s + resid(r), 0);
  references.vim = (i) => lse(logitRow(i, batch)) - alpha * resid(row(batch.features, i));
}
{
  const sd = Array.from({ length: dim }, (_, k) =>
    Math.sqrt(trainRows.reduce((s, r) => s + (r[k] - mean[k]) ** 2, 0) / n),
  );
  const z = (h: number[]) => h.map((v, k) => (v - mean[k]) / sd[k]);
  const e = new EigenvalueDecomposition(
    covarianceAbout(trainRows.map(z), () => new Array(dim).fill(0)),
    { assumeSymmetric: true },
  );
  const order = e.realEigenvalues
    .map((v, j) => [v, j])
    .sort((p, q) => q[0] - p[0])
    .map((p) => p[1]);
  const top = order.slice(0, 2).map((j) => e.eigenvectorMatrix.getColumn(j)); // k = 2
  references.neco = (i) => {
    const zi = z(row(batch.features, i));
    return Math.sqrt(top.reduce((s, v) => s + dot(zi, v) ** 2, 0)) / Math.sqrt(dot(zi, zi));
  };
}

describe('detectors match an independent float64 reference', () => {
  for (const name of ['msp', 'maxlogit', 'energy', 'mahalanobis', 'vim', 'neco'] as const) {
    it(name, async () => {
      const det = createDetector(name, { T: 2, D: 3, k: 2 });
      await det.fit(train, W, b);
      const s = await det.score(batch);
      for (let i = 0; i < batch.n; i++) {
        const ref = references[name](i);
        expect(Math.abs(s[i] - ref)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref)));
      }
    });
  }

  it('refuses to score before fitting, with a clear error', async () => {
    await expect(createDetector('vim').score(batch)).rejects.toThrow(/must be fitted/);
  });

  it('reports the hyper-parameters it used, clamped to the feature dimension', async () => {
    const det = createDetector('vim', { D: 256 });
    await det.fit(train, W, b);
    expect(det.params).toEqual({ D: dim - 1 });
  });

  it('a singular covariance gives finite scores (pseudo-inverse)', async () => {
    const f = Float32Array.from(train.features);
    for (let i = 0; i < n; i++) f[i * dim + 5] = f[i * dim + 4]; // two identical coordinates
    const t2: IdTrain = { ...train, features: f, logits: logitsOf(f, n) };
    for (const name of ['mahalanobis', 'vim', 'neco'] as const) {
      const det = createDetector(name, { D: 3, k: 2 });
      await det.fit(t2, W, b);
      const s = await det.score(batch);
      expect(s.every(Number.isFinite), name).toBe(true);
    }
  });
});
