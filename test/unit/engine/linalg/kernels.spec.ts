import { describe, expect, it } from 'vitest';
import { argmaxRows, projectRows } from '../../../../main/engine/linalg/kernels';
import { gaussian } from '../../../helpers/nc/fixtures';

describe('projectRows', () => {
  it('matches plain dot products, with ragged blocks (n = 7, R = 5) and a per-row class shift', () => {
    const g = gaussian(3);
    const n = 7;
    const D = 6;
    const R = 5;
    const x = Float32Array.from({ length: n * D }, g);
    const A = Float64Array.from({ length: R * D }, g);
    const shift = Float64Array.from({ length: 3 * D }, g);
    const idx = Int32Array.from([0, 2, 1, 1, 0, 2, 2]);
    const norms2 = new Float64Array(n);
    const out = projectRows(x, n, D, A, R, { shift, shiftIndex: idx, norms2 });
    for (let i = 0; i < n; i++) {
      const d = Array.from({ length: D }, (_, k) => x[i * D + k] - shift[idx[i] * D + k]);
      expect(norms2[i]).toBeCloseTo(
        d.reduce((s, v) => s + v * v, 0),
        12,
      );
      for (let r = 0; r < R; r++)
        expect(out[i * R + r]).toBeCloseTo(
          d.reduce((s, v, k) => s + v * A[r * D + k], 0),
          12,
        );
    }
    const plain = projectRows(x, n, D, A, R);
    expect(plain[6 * R + 4]).toBeCloseTo(
      Array.from({ length: D }, (_, k) => x[6 * D + k] * A[4 * D + k]).reduce((s, v) => s + v, 0),
      12,
    );
  });
});

describe('argmaxRows', () => {
  it('takes the first of equal maxima', () => {
    expect(Array.from(argmaxRows([1, 3, 3, -1, -2, -3], 2, 3))).toEqual([1, 0]);
  });
});
