// eigh (EISPACK tred2/tql2, ported) against results obtained another way:
//   closed forms worked on paper:
//     [[2,1],[1,2]]: lambda = 1, 3 with v = (1,-1)/sqrt2, (1,1)/sqrt2
//     [[3,0],[0,-1]] (already diagonal, unsorted): lambda = -1, 3 with v = e2, e1
//     the 3 x 3 second-difference matrix tridiag(-1, 2, -1): lambda = 2 - sqrt2, 2, 2 + sqrt2 with
//     v = (1, sqrt2, 1)/2, (1, 0, -1)/sqrt2, (1, -sqrt2, 1)/2   (lambda_k = 2 - 2 cos(k pi/4))
//   numpy.linalg.eigh (LAPACK syevd) on three matrices, one of them singular (test/fixtures/eigh/numpy.json,
//   written by scripts/make-eigh-fixture.py);
//   the defining identities on a random symmetric 40 x 40 matrix: A v_r = lambda_r v_r and V V' = I.
// Eigenvectors are unique up to sign (and only for simple eigenvalues), so they are compared after aligning signs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cholesky, choleskyInverse, choleskySolve, eigh, pinvSym } from '../../../../main/engine/linalg/eigh';
import { randomT64 } from '../../../helpers/ref64';

interface Case {
  name: string;
  n: number;
  matrix: number[];
  values: number[];
  vectors: number[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/eigh/numpy.json'), 'utf8')) as {
  cases: Case[];
};

const S2 = Math.SQRT2;

/** max_k |sign * got_k - want_k| over one eigenvector, the sign chosen to align the two. */
function vectorError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let dot = 0;
  for (let k = 0; k < want.length; k++) dot += got[k] * want[k];
  const s = dot < 0 ? -1 : 1;
  let e = 0;
  for (let k = 0; k < want.length; k++) e = Math.max(e, Math.abs(s * got[k] - want[k]));
  return e;
}

function expectEigh(a: number[], n: number, values: number[], vectors: number[][], tol: number): void {
  const r = eigh(Float64Array.from(a), n);
  expect(r.n).toBe(n);
  values.forEach((v, i) => expect(Math.abs(r.values[i] - v)).toBeLessThanOrEqual(tol));
  vectors.forEach((v, i) =>
    expect(vectorError(r.vectors.subarray(i * n, (i + 1) * n), v)).toBeLessThanOrEqual(tol),
  );
}

describe('eigh', () => {
  it('2 x 2 closed forms, including an already diagonal, unsorted matrix', () => {
    expectEigh([2, 1, 1, 2], 2, [1, 3], [[1 / S2, -1 / S2], [1 / S2, 1 / S2]], 1e-15); // prettier-ignore
    expectEigh([3, 0, 0, -1], 2, [-1, 3], [[0, 1], [1, 0]], 0); // prettier-ignore
  });

  it('3 x 3 second-difference matrix: lambda_k = 2 - 2 cos(k pi / 4)', () => {
    const a = [2, -1, 0, -1, 2, -1, 0, -1, 2];
    const vectors = [[0.5, S2 / 2, 0.5], [1 / S2, 0, -1 / S2], [0.5, -S2 / 2, 0.5]]; // prettier-ignore
    expectEigh(a, 3, [2 - S2, 2, 2 + S2], vectors, 1e-14);
  });

  for (const c of fixture.cases)
    it(`equals numpy.linalg.eigh on ${c.name} (${c.n} x ${c.n})`, () => {
      const scale = Math.max(...c.values.map(Math.abs));
      const tol = 1e-13 * scale;
      // Eigenvectors of a repeated (here: zero) eigenvalue are any basis of its space: compare simple ones only.
      const simple = c.values
        .map((v, i) => i)
        .filter((i) => c.values.every((w, j) => j === i || Math.abs(w - c.values[i]) > 1e-8 * scale));
      const r = eigh(Float64Array.from(c.matrix), c.n);
      c.values.forEach((v, i) => expect(Math.abs(r.values[i] - v)).toBeLessThan(tol));
      expect(simple.length).toBeGreaterThanOrEqual(3);
      for (const i of simple) {
        const got = r.vectors.subarray(i * c.n, (i + 1) * c.n);
        expect(vectorError(got, c.vectors.slice(i * c.n, (i + 1) * c.n))).toBeLessThan(1e-12);
      }
    });

  it('A v = lambda v and V V^T = I on a random symmetric 40 x 40 matrix; eigenvalues ascend', () => {
    const n = 40;
    const b = randomT64([n, n], 7).data;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j] + b[j * n + i];
    const { values, vectors } = eigh(a, n);
    let resid = 0;
    let orth = 0;
    for (let r = 0; r < n; r++) {
      if (r > 0) expect(values[r]).toBeGreaterThanOrEqual(values[r - 1]);
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k] * vectors[r * n + k];
        resid = Math.max(resid, Math.abs(av - values[r] * vectors[r * n + i]));
      }
      for (let s = 0; s < n; s++) {
        let d = 0;
        for (let k = 0; k < n; k++) d += vectors[r * n + k] * vectors[s * n + k];
        orth = Math.max(orth, Math.abs(d - (r === s ? 1 : 0)));
      }
    }
    expect(resid).toBeLessThan(1e-12);
    expect(orth).toBeLessThan(1e-13);
  });

  it('pinvSym and choleskyInverse against the 3 x 3 closed form and the singular numpy case', () => {
    // tridiag(-1, 2, -1)^-1 = [[3,2,1],[2,4,2],[1,2,3]] / 4
    const a = Float64Array.from([2, -1, 0, -1, 2, -1, 0, -1, 2]);
    const inv = [3, 2, 1, 2, 4, 2, 1, 2, 3].map((v) => v / 4);
    pinvSym(a, 3).forEach((v, i) => expect(v).toBeCloseTo(inv[i], 13));
    const r = choleskyInverse(a, 3)!; // a^-1 = R^-T R^-1
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += r[k * 3 + i] * r[k * 3 + j];
        expect(s).toBeCloseTo(inv[i * 3 + j], 13);
      }
    const g = fixture.cases.find((c) => c.name === 'gram8rank3')!;
    expect(choleskyInverse(Float64Array.from(g.matrix), g.n)).toBeNull();
    // The pseudo-inverse of B B' satisfies A A^+ A = A.
    const A = Float64Array.from(g.matrix);
    const P = pinvSym(A, g.n);
    const mul = (x: ArrayLike<number>, y: ArrayLike<number>) => {
      const out = new Float64Array(g.n * g.n);
      for (let i = 0; i < g.n; i++)
        for (let j = 0; j < g.n; j++)
          for (let k = 0; k < g.n; k++) out[i * g.n + j] += x[i * g.n + k] * y[k * g.n + j];
      return out;
    };
    mul(mul(A, P), A).forEach((v, i) => expect(Math.abs(v - A[i])).toBeLessThan(1e-12));
  });
});

describe('cholesky', () => {
  it('factors and solves tridiag(-1, 2, -1) X = B against the closed-form inverse', () => {
    const a = Float64Array.from([2, -1, 0, -1, 2, -1, 0, -1, 2]);
    const L = cholesky(a, 3, (s) => s)!;
    // L = [[sqrt2, 0, 0], [-1/sqrt2, sqrt(3/2), 0], [0, -sqrt(2/3), sqrt(4/3)]]
    const want = [
      Math.SQRT2,
      0,
      0,
      -1 / Math.SQRT2,
      Math.sqrt(1.5),
      0,
      0,
      -Math.sqrt(2 / 3),
      Math.sqrt(4 / 3),
    ];
    L.forEach((v, i) => expect(v).toBeCloseTo(want[i], 14));
    const B = Float64Array.from([1, 0, 0, 1, 0, 0]); // columns e1, e2 (3 x 2)
    const X = choleskySolve(L, 3, B, 2);
    const inv = [3, 2, 1, 2, 4, 2, 1, 2, 3].map((v) => v / 4);
    for (let i = 0; i < 3; i++)
      for (let c = 0; c < 2; c++) expect(X[i * 2 + c]).toBeCloseTo(inv[i * 3 + c], 14);
    expect(cholesky(Float64Array.from([1, 1, 1, 1]), 2, (s) => (s > 1e-12 ? s : null))).toBeNull();
  });
});
