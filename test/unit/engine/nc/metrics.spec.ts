import { describe, expect, it } from 'vitest';
import { computeNcMetrics } from '../../../../main/engine/nc/metrics';
import { etfRows, randomProblem, toInput } from '../../../helpers/nc/fixtures';
import type { RefInput } from '../../../helpers/nc/reference';
import { expectMatchesReference, reference } from '../../../helpers/nc/reference';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

/** Every sample of class c sits at (its ETF vertex) + each of `offsets`. */
function etfProblem(C: number, D: number, scale: number, offsets: number[][]): RefInput {
  const rows = etfRows(C, D, scale);
  const X = rows.flatMap((m) => offsets.map((o) => m.map((v, k) => v + o[k])));
  const y = rows.flatMap((_, c) => offsets.map(() => c));
  return { X, y, Xt: rows, yt: rows.map((_, c) => c), W: rows, b: new Array<number>(C).fill(0) };
}

describe('NC metrics on constructed features', () => {
  it('an exact simplex ETF with no within-class spread is fully collapsed', () => {
    const m = computeNcMetrics(toInput(etfProblem(10, 13, 4, [new Array<number>(13).fill(0)])));
    expect(m.nc1).toBe(0);
    expect(m.trSw).toBe(0);
    expect(m.rankSb).toBe(9);
    expect(m.nc2.equiangularMeans).toBeLessThan(1e-12);
    expect(m.nc2.equiangularMeansMax).toBeLessThan(1e-12);
    expect(m.nc2.equinormMeans).toBeLessThan(1e-12);
    expect(m.nc2.equinormClassifier).toBeLessThan(1e-12);
    expect(m.nc3).toBeLessThan(1e-12);
    expect(m.nc4).toBe(0);
    expect(m.nc5).toBe(1);
    expect(m.nccTestAccuracy).toBe(1);
    expect(m.testAccuracy).toBe(1);
  });

  it('noise of size eps along a direction inside the span of the means gives NC1 = eps^2 / a^2', () => {
    // M = a (I - 11'/C) so Sb^+ = (C/a^2) P; Sw = eps^2 u u' with u in the span: Tr(Sw Sb^+)/C = eps^2/a^2.
    const C = 6;
    const D = 9;
    const a = 3;
    const eps = 0.25;
    const u = new Array<number>(D).fill(0);
    u[0] = eps / Math.SQRT2;
    u[1] = -eps / Math.SQRT2;
    const m = computeNcMetrics(toInput(etfProblem(C, D, a, [u, u.map((v) => -v)])));
    expect(rel(m.nc1, (eps * eps) / (a * a))).toBeLessThan(1e-6);
    expect(rel(m.trSw, eps * eps)).toBeLessThan(1e-6);
  });

  it('noise outside the span of the means (a padding axis, or the all-ones axis) leaves NC1 at 0', () => {
    const C = 5;
    const D = 7;
    const pad = new Array<number>(D).fill(0);
    pad[6] = 0.5;
    const ones = new Array<number>(D).fill(0).map((_, k) => (k < C ? 0.5 : 0));
    const m = computeNcMetrics(
      toInput(etfProblem(C, D, 2, [pad, pad.map((v) => -v), ones, ones.map((v) => -v)])),
    );
    expect(m.nc1).toBeLessThan(1e-12);
    expect(rel(m.trSw, (0.25 + 0.25 * C) / 2)).toBeLessThan(1e-6);
  });
});

describe('NC metrics agree with a naive D x D float64 computation', () => {
  const cases: [string, RefInput][] = [
    ['balanced, D > C', randomProblem(1, 5, 12, [30, 30, 30, 30, 30])],
    ['imbalanced, with a one-sample class', randomProblem(2, 6, 9, [1, 40, 25, 7, 60, 12], 1)],
    ['more classes than dimensions (rank Sb = D)', randomProblem(3, 8, 3, [20, 20, 20, 20, 20, 20, 20, 20])],
    ['weak separation (NC1 large)', randomProblem(4, 4, 6, [50, 50, 50, 50], 0.3)],
  ];
  for (const [name, prob] of cases)
    it(name, () => {
      const m = computeNcMetrics(toInput(prob));
      const r = reference(prob);
      expectMatchesReference(m, r);
      expect(m.testAccuracy).toBe(r.testAccuracy);
      expect(Number.isFinite(m.nc1)).toBe(true);
    });
});

describe('degenerate inputs', () => {
  it('a rank-deficient Sb (collinear class means) gives the pseudo-inverse value, finite', () => {
    const v = [1, -2, 0.5, 3];
    const prob = etfProblem(4, 4, 1, [
      [0.1, 0, 0, 0],
      [-0.1, 0, 0, 0],
      [0, 0.2, 0, 0],
      [0, -0.2, 0, 0],
    ]);
    prob.X = prob.X.map((x, i) => x.map((e, k) => e - etfRows(4, 4, 1)[prob.y[i]][k] + prob.y[i] * v[k]));
    prob.Xt = prob.Xt.map((_, c) => v.map((e) => c * e));
    const m = computeNcMetrics(toInput(prob));
    const r = reference(prob);
    expect(m.rankSb).toBe(1);
    expect(Number.isFinite(m.nc1)).toBe(true);
    expect(rel(m.nc1, r.nc1)).toBeLessThan(1e-6);
  });

  it('class means that all coincide are refused with a clear message', () => {
    const prob = etfProblem(3, 3, 0, [
      [1, 0, 0],
      [-1, 0, 0],
    ]);
    expect(() => computeNcMetrics(toInput(prob))).toThrow(/class means coincide/);
  });

  it('a class with no training sample is left out and named (present.spec.ts checks the values)', () => {
    const prob = randomProblem(5, 3, 4, [5, 5, 5]);
    prob.y = prob.y.map((c) => (c === 1 ? 0 : c));
    const m = computeNcMetrics(toInput(prob));
    expect(m.emptyClasses).toEqual([1]);
    expect(m.classes).toBe(2);
  });

  it('a label out of range is refused', () => {
    const prob = randomProblem(6, 3, 4, [5, 5, 5]);
    prob.y[0] = 7;
    expect(() => computeNcMetrics(toInput(prob))).toThrow(/outside 0..2/);
  });
});
