// Dense products in float64, shared by the detectors and Neural Collapse. The hot one, projectRows, is the loop of
// the NC analysis: dot products of many sample rows with a few reference rows (centred class means, classifier rows).
// Every NC metric reduces to it (NC1 through M·(h - mu_y), NCC and the orthogonality through M·h), so it is written
// once, blocked 4 samples x 2 reference rows with the samples interleaved: each loaded value is used in 4 or 2
// multiply-adds, which keeps 50,000 x 512 x 100 near 2 s on one core where the plain triple loop takes 13 s. Float32
// rows of large problems go to the same loop in WebAssembly SIMD (wasm-kernels.ts: 4.5x faster again, 0.23 s, and
// bit-identical: same order of summation). The detectors' large products go through gemm.ts instead.
import type { Rows } from './rows';
import { wasmGram, wasmProjectRows } from './wasm-kernels';

export interface ProjectOptions {
  /** Subtract a row of this C x D matrix from each sample first: row `shiftIndex[i]` (or row 0 without an index). */
  shift?: Float64Array;
  shiftIndex?: Int32Array;
  /** Filled with ||x_i - shift_i||^2 when given (length n). */
  norms2?: Float64Array;
}

const BLOCK = 4;
/** Multiply-adds from which float32 rows go to the WebAssembly kernel (below, copying in costs more than it saves). */
const WASM_WORK = 1e6;

/**
 * out[i*R + r] = A_r · (x_i - shift_i) for n rows x_i of length dim and R rows A_r (row-major, float64).
 * Returns out (length n*R).
 */
export function projectRows(
  x: Rows,
  n: number,
  dim: number,
  A: Float64Array,
  R: number,
  o: ProjectOptions = {},
): Float64Array {
  if (x instanceof Float32Array && n * dim * R >= WASM_WORK) {
    const w = wasmProjectRows(x, n, dim, A, R, o);
    if (w) return w;
  }
  const out = new Float64Array(n * R);
  const buf = new Float64Array(BLOCK * dim);
  const shift = o.shift;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const nb = Math.min(BLOCK, n - i0);
    if (nb < BLOCK) buf.fill(0);
    for (let b = 0; b < nb; b++) {
      const i = i0 + b;
      const xo = i * dim;
      const so = shift ? (o.shiftIndex ? o.shiftIndex[i] : 0) * dim : -1;
      let s2 = 0;
      for (let k = 0; k < dim; k++) {
        const v = shift ? x[xo + k] - shift[so + k] : x[xo + k];
        buf[k * BLOCK + b] = v;
        s2 += v * v;
      }
      if (o.norms2) o.norms2[i] = s2;
    }
    for (let r = 0; r < R; r += 2) {
      const ao = r * dim;
      const bo = r + 1 < R ? ao + dim : ao;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0; // prettier-ignore
      for (let k = 0, j = 0; k < dim; k++, j += BLOCK) {
        const p = A[ao + k];
        const q = A[bo + k];
        const x0 = buf[j], x1 = buf[j + 1], x2 = buf[j + 2], x3 = buf[j + 3]; // prettier-ignore
        a0 += p * x0;
        a1 += p * x1;
        a2 += p * x2;
        a3 += p * x3;
        b0 += q * x0;
        b1 += q * x1;
        b2 += q * x2;
        b3 += q * x3;
      }
      const o0 = i0 * R + r;
      out[o0] = a0;
      if (nb > 1) out[o0 + R] = a1;
      if (nb > 2) out[o0 + 2 * R] = a2;
      if (nb > 3) out[o0 + 3 * R] = a3;
      if (r + 1 < R) {
        out[o0 + 1] = b0;
        if (nb > 1) out[o0 + R + 1] = b1;
        if (nb > 2) out[o0 + 2 * R + 1] = b2;
        if (nb > 3) out[o0 + 3 * R + 1] = b3;
      }
    }
  }
  return out;
}

/** Index of the largest entry of each row of an n x C matrix (first one on ties). */
export function argmaxRows(m: ArrayLike<number>, n: number, C: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bv = m[i * C];
    for (let c = 1; c < C; c++) {
      const v = m[i * C + c];
      if (v > bv) {
        bv = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/** sum_i q_i q_i' (C x C, exactly symmetric) of the n x C rows q. */
export function gram(q: Float64Array, n: number, C: number): Float64Array {
  if (n * C * C >= WASM_WORK) {
    const w = wasmGram(q, n, C);
    if (w) return w;
  }
  const G = new Float64Array(C * C);
  // Upper triangle of sum_i q_i q_i', four samples per sweep of G (a rank-4 update: a quarter of G's traffic).
  const n4 = n - (n % 4);
  for (let i = 0; i < n4; i += 4) {
    const o0 = i * C;
    const o1 = o0 + C;
    const o2 = o1 + C;
    const o3 = o2 + C;
    for (let a = 0; a < C; a++) {
      const p0 = q[o0 + a], p1 = q[o1 + a], p2 = q[o2 + a], p3 = q[o3 + a]; // prettier-ignore
      const go = a * C;
      for (let b = a; b < C; b++)
        G[go + b] += p0 * q[o0 + b] + p1 * q[o1 + b] + p2 * q[o2 + b] + p3 * q[o3 + b];
    }
  }
  for (let i = n4; i < n; i++) {
    const o = i * C;
    for (let a = 0; a < C; a++) for (let b = a; b < C; b++) G[a * C + b] += q[o + a] * q[o + b];
  }
  for (let a = 0; a < C; a++) for (let b = 0; b < a; b++) G[a * C + b] = G[b * C + a];
  return G;
}

/** Squared Euclidean norm of each of the `rows` rows of a row-major matrix. */
export function rowNorms2(m: ArrayLike<number>, rows: number, dim: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += m[r * dim + k] * m[r * dim + k];
    out[r] = s;
  }
  return out;
}

/** a (R x dim) times b' (S x dim): the R x S matrix of row dot products, float64 (small matrices only). */
export function rowDotMatrix(
  a: ArrayLike<number>,
  R: number,
  b: ArrayLike<number>,
  S: number,
  dim: number,
): Float64Array {
  const out = new Float64Array(R * S);
  for (let r = 0; r < R; r++)
    for (let s = 0; s < S; s++) {
      let v = 0;
      for (let k = 0; k < dim; k++) v += a[r * dim + k] * b[s * dim + k];
      out[r * S + s] = v;
    }
  return out;
}

/** s += w (a - b)(a - b)' on a dim x dim matrix. */
export function addOuter(
  s: Float64Array,
  dim: number,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  w: number,
): void {
  if (!w) return;
  const d = new Float64Array(dim);
  for (let k = 0; k < dim; k++) d[k] = a[k] - b[k];
  for (let i = 0; i < dim; i++) {
    const wi = w * d[i];
    if (wi === 0) continue;
    for (let j = 0; j < dim; j++) s[i * dim + j] += wi * d[j];
  }
}
