// An independent, naive float64 implementation of the Neural Collapse formulas, written straight from the papers
// with D x D matrices and ml-matrix's pseudoInverse, to check the engine's fast path against. Slow on purpose.
import { Matrix, pseudoInverse } from 'ml-matrix';
import { expect } from 'vitest';
import type { computeNcMetrics } from '../../../main/engine/nc/metrics';
import { SB_RTOL } from '../../../main/engine/nc/nc1';

export interface RefInput {
  X: number[][];
  y: number[];
  Xt: number[][];
  yt: number[];
  W: number[][];
  b: number[];
  ood?: number[][];
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const sub = (a: number[], b: number[]) => a.map((v, i) => v - b[i]);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
const cos = (a: number[], b: number[]) => (norm(a) * norm(b) > 0 ? dot(a, b) / (norm(a) * norm(b)) : 0);
const argmax = (v: number[]) => v.indexOf(Math.max(...v));
const argmin = (v: number[]) => v.indexOf(Math.min(...v));
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const cv = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2))) / mean(v);

export function reference(r: RefInput) {
  const C = r.W.length;
  const D = r.X[0].length;
  const N = r.X.length;
  const mu = Array.from({ length: C }, (_, c) => {
    const rows = r.X.filter((_, i) => r.y[i] === c);
    return Array.from({ length: D }, (_, k) => mean(rows.map((x) => x[k])));
  });
  const muG = Array.from({ length: D }, (_, k) => mean(r.X.map((x) => x[k])));
  const M = mu.map((m) => sub(m, muG));
  let Sw = Matrix.zeros(D, D);
  r.X.forEach((x, i) => {
    const d = Matrix.columnVector(sub(x, mu[r.y[i]]));
    Sw = Sw.add(d.mmul(d.transpose()));
  });
  Sw = Sw.div(N);
  let Sb = Matrix.zeros(D, D);
  for (const m of M) Sb = Sb.add(Matrix.columnVector(m).mmul(Matrix.rowVector(m)));
  Sb = Sb.div(C);
  // pseudoInverse's cut-off is threshold * max(rows, cols) * s_max: the same relative cut-off as the engine's.
  const nc1 = Sw.mmul(pseudoInverse(Sb, SB_RTOL / D)).trace() / C;

  const ncc = (x: number[]) => argmin(mu.map((m) => norm(sub(x, m)) ** 2));
  const net = (x: number[]) => argmax(r.W.map((w, c) => dot(w, x) + r.b[c]));
  const share = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;
  const pairs = (rows: number[][]) => {
    const devs: number[] = [];
    for (let a = 0; a < C; a++)
      for (let b = a + 1; b < C; b++) devs.push(Math.abs(cos(rows[a], rows[b]) + 1 / (C - 1)));
    return { mean: mean(devs), max: Math.max(...devs) };
  };
  const fro = (rows: number[][]) => Math.sqrt(rows.flat().reduce((s, v) => s + v * v, 0));
  const nc3 = r.W.flat().reduce((s, w, i) => s + (w / fro(r.W) - M.flat()[i] / fro(M)) ** 2, 0);
  const eM = pairs(M);
  const eW = pairs(r.W);
  const result = {
    nc1,
    trSw: Sw.trace(),
    trSb: Sb.trace(),
    equinormMeans: cv(M.map(norm)),
    equinormClassifier: cv(r.W.map(norm)),
    equiangularMeans: eM.mean,
    equiangularMeansMax: eM.max,
    equiangularClassifier: eW.mean,
    equiangularClassifierMax: eW.max,
    nc3,
    nc4: share(r.X.map((x) => ncc(x) !== net(x))),
    nc5: share(r.Xt.map((x) => ncc(x) === net(x))),
    nccTestAccuracy: share(r.Xt.map((x, i) => ncc(x) === r.yt[i])),
    testAccuracy: share(r.Xt.map((x, i) => net(x) === r.yt[i])),
    orthoSamples: 0,
    orthoGlobal: 0,
  };
  if (r.ood) {
    const centred = r.ood.map((x) => sub(x, muG));
    result.orthoSamples = mean(centred.flatMap((h) => M.map((m) => Math.abs(cos(h, m)))));
    const g = Array.from({ length: D }, (_, k) => mean(centred.map((x) => x[k])));
    result.orthoGlobal = mean(M.map((m) => Math.abs(cos(g, m))));
  }
  return result;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

/** The engine's metrics against the float64 reference: the real-valued ones to 1e-6 (relative), NC4, NC5 and the
 * nearest-class-centre accuracy exactly. */
export function expectMatchesReference(
  m: ReturnType<typeof computeNcMetrics>,
  r: ReturnType<typeof reference>,
): void {
  for (const [k, v] of [
    ['nc1', m.nc1],
    ['trSw', m.trSw],
    ['trSb', m.trSb],
    ['equinormMeans', m.nc2.equinormMeans],
    ['equinormClassifier', m.nc2.equinormClassifier],
    ['equiangularMeans', m.nc2.equiangularMeans],
    ['equiangularMeansMax', m.nc2.equiangularMeansMax],
    ['equiangularClassifier', m.nc2.equiangularClassifier],
    ['equiangularClassifierMax', m.nc2.equiangularClassifierMax],
    ['nc3', m.nc3],
    ['orthoSamples', m.idOodOrthogonality.ood.meanAbsCos],
    ['orthoGlobal', m.idOodOrthogonality.ood.globalMeanAbsCos],
  ] as const)
    expect(rel(v, r[k]), `${k}: ${v} vs ${r[k]}`).toBeLessThan(1e-6);
  expect(m.nc4).toBe(r.nc4);
  expect(m.nc5).toBe(r.nc5);
  expect(m.nccTestAccuracy).toBe(r.nccTestAccuracy);
}
