// The WebAssembly SIMD analysis kernels against plain float64 loops written here: ragged sizes (rows not a
// multiple of 4, reference rows not a multiple of 4, odd dimensions), every shift mode, and chunks far smaller
// than the input so that chunk boundaries fall inside the data. projectRows and gram must pick them for large
// float32 inputs, and return the same values as the JavaScript loops they replace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gram, projectRows } from '../../../../main/engine/linalg/kernels';
import {
  analysisKernelsLoaded,
  setChunkBytes,
  wasmGram,
  wasmProjectRows,
} from '../../../../main/engine/linalg/wasm-kernels';
import { gaussian } from '../../../helpers/nc/fixtures';

function plainProject(
  x: Float32Array,
  n: number,
  D: number,
  A: Float64Array,
  R: number,
  shift?: Float64Array,
  idx?: Int32Array,
): { out: Float64Array; norms2: Float64Array } {
  const out = new Float64Array(n * R);
  const norms2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = Array.from({ length: D }, (_, k) => {
      const s = shift ? shift[(idx ? idx[i] : 0) * D + k] : 0;
      return x[i * D + k] - s;
    });
    norms2[i] = d.reduce((s, v) => s + v * v, 0);
    for (let r = 0; r < R; r++) out[i * R + r] = d.reduce((s, v, k) => s + v * A[r * D + k], 0);
  }
  return { out, norms2 };
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

describe('WebAssembly analysis kernels', () => {
  beforeAll(() => setChunkBytes(2048));
  afterAll(() => setChunkBytes());

  it('load here (Node has WebAssembly SIMD)', () => {
    expect(analysisKernelsLoaded()).toBe(true);
  });

  it('project rows in float64 for ragged sizes, every shift mode, across chunk boundaries', () => {
    const g = gaussian(11);
    for (const [n, D, R] of [
      [1, 3, 1],
      [7, 5, 3],
      [37, 13, 10],
      [53, 33, 7],
    ]) {
      const x = Float32Array.from({ length: n * D }, g);
      const A = Float64Array.from({ length: R * D }, g);
      const C = 4;
      const shift = Float64Array.from({ length: C * D }, g);
      const idx = Int32Array.from({ length: n }, (_, i) => (i * 3) % C);
      for (const mode of ['none', 'one', 'indexed'] as const) {
        const sh = mode === 'none' ? undefined : mode === 'one' ? shift.subarray(0, D) : shift;
        const ix = mode === 'indexed' ? idx : undefined;
        const ref = plainProject(x, n, D, A, R, sh, ix);
        const norms2 = new Float64Array(n);
        const out = wasmProjectRows(x, n, D, A, R, { shift: sh, shiftIndex: ix, norms2 })!;
        expect(out).toHaveLength(n * R);
        expect(maxRel(out, ref.out)).toBeLessThan(1e-13);
        expect(maxRel(norms2, ref.norms2)).toBeLessThan(1e-13);
      }
    }
  });

  it("accumulate the Gram matrix sum q q' exactly symmetric, for odd n and C", () => {
    const g = gaussian(5);
    for (const [n, C] of [
      [1, 1],
      [9, 5],
      [101, 12],
    ]) {
      const q = Float64Array.from({ length: n * C }, g);
      const G = wasmGram(q, n, C)!;
      for (let a = 0; a < C; a++)
        for (let b = 0; b < C; b++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += q[i * C + a] * q[i * C + b];
          expect(G[a * C + b]).toBeCloseTo(s, 10);
          expect(G[a * C + b]).toBe(G[b * C + a]);
        }
    }
  });

  it("are what projectRows and gram use for large float32 inputs, with the JavaScript loops' values", () => {
    setChunkBytes();
    const g = gaussian(9);
    const n = 2003;
    const D = 64;
    const R = 25; // 2003 x 64 x 25 and 2003 x 25 x 25 multiply-adds: both over the kernels' threshold
    const x = Float32Array.from({ length: n * D }, g);
    const x64 = Float64Array.from(x); // float64 rows always take the JavaScript loop
    const A = Float64Array.from({ length: R * D }, g);
    const shift = Float64Array.from({ length: R * D }, g);
    const idx = Int32Array.from({ length: n }, (_, i) => i % R);
    const n1 = new Float64Array(n);
    const n2 = new Float64Array(n);
    const viaWasm = projectRows(x, n, D, A, R, { shift, shiftIndex: idx, norms2: n1 });
    const viaJs = projectRows(x64, n, D, A, R, { shift, shiftIndex: idx, norms2: n2 });
    expect(maxRel(viaWasm, viaJs)).toBeLessThan(1e-13);
    expect(maxRel(n1, n2)).toBeLessThan(1e-13);
    const G = gram(viaWasm, n, R);
    expect(G[3 * R + 17]).toBeCloseTo(
      Array.from({ length: n }, (_, i) => viaWasm[i * R + 3] * viaWasm[i * R + 17]).reduce(
        (s, v) => s + v,
        0,
      ),
      8,
    );
    setChunkBytes(2048);
  });
});
