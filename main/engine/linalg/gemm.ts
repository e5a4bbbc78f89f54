// The two heavy products of the detectors, written once: projections of many feature rows onto a few directions
// (scores) and the scatter matrix X'X of ID train (covariances). Small problems run in exact float64 JavaScript;
// large ones (50,000 x 512 train features) go through tfjs matMul on this thread's backend (XNNPACK on wasm, the
// GPU on webgpu), which is 5-10x faster than the best float64 JS loop measured here (0.8 G multiply-adds/s), or,
// for projections on a CPU backend, through ONNX Runtime's native GEMM (about 3x XNNPACK per CPU-second).
// Rows are centred before the product (on the backend for projections, in float64 for the scatter), and every
// chunk of CHUNK rows is summed into a float64 accumulator, so the float32 error stays per chunk (relative ~1e-6),
// not over 50,000 rows.
import { currentBackend, tf } from '../backend';
import { ortProjectChunks } from './ort-products';
import { projectRows } from './kernels';
import type { RowSource, Rows } from './rows';

const CHUNK = 4096;
/** Multiply-adds from which tensors are used when a backend is initialised in this thread. */
let tensorThreshold = 2e7;

/** Tests force one path or the other (0 = always tensors, Infinity = always float64 JS). */
export function setTensorThreshold(work: number): void {
  tensorThreshold = work;
}

const useTensors = (work: number) => currentBackend() !== null && work >= tensorThreshold;

/** Rows start .. start+count of x as float32 (a view when x already is float32, no copy). */
function rawChunk(x: Rows, dim: number, start: number, count: number): Float32Array {
  const v = x.subarray(start * dim, (start + count) * dim);
  return v instanceof Float32Array ? v : Float32Array.from(v);
}

export type ChunkFn = (start: number, count: number, y: ArrayLike<number>) => void;

/**
 * Calls onChunk(start, count, y) for consecutive row chunks with y[i*R + r] = A_r · (x_i - shift_i),
 * A being R rows of length dim (row-major). Chunks arrive in order and cover every row once.
 */
export async function projectChunks(
  src: RowSource,
  A: Float64Array,
  R: number,
  onChunk: ChunkFn,
): Promise<void> {
  if (R === 0 || src.n === 0) return;
  if (!useTensors(src.n * src.dim * R)) {
    for (let s = 0; s < src.n; s += CHUNK) {
      const count = Math.min(CHUNK, src.n - s);
      const x = src.x.subarray(s * src.dim, (s + count) * src.dim);
      const idx = src.shiftIndex?.subarray(s, s + count);
      onChunk(s, count, projectRows(x, count, src.dim, A, R, { shift: src.shift, shiftIndex: idx }));
    }
    return;
  }
  const { dim, shift, shiftIndex } = src;
  // On the CPU, ONNX Runtime's native GEMM where it loads (linalg/ort-products.ts), for one shared shift.
  if (!shiftIndex && currentBackend()?.name !== 'webgpu')
    if (await ortProjectChunks(src.x, src.n, dim, shift, A, R, onChunk)) return;
  // The shift is subtracted on the backend (one broadcast or gathered subtraction per chunk): a JS loop that
  // writes shifted float32 copies costs as much as the product itself on wasm.
  const at = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(A), [R, dim])));
  const sh = shift ? tf.tensor2d(Float32Array.from(shift), [shift.length / dim, dim]) : null;
  try {
    for (let s = 0; s < src.n; s += CHUNK) {
      const count = Math.min(CHUNK, src.n - s);
      const y = tf.tidy(() => {
        const x = tf.tensor2d(rawChunk(src.x, dim, s, count), [count, dim]);
        if (!sh) return tf.matMul(x, at);
        const rowsOfShift = shiftIndex
          ? tf.gather(sh, tf.tensor1d(shiftIndex.subarray(s, s + count), 'int32'))
          : sh;
        return tf.matMul(tf.sub(x, rowsOfShift), at);
      });
      const data = await y.data();
      y.dispose();
      onChunk(s, count, data);
    }
  } finally {
    at.dispose();
    sh?.dispose();
  }
}

/** Sum over rows of (x_i - shift_i)(x_i - shift_i)': the dim x dim scatter matrix, float64, exactly symmetric. */
export async function scatter(src: RowSource): Promise<Float64Array> {
  const d = src.dim;
  const out = new Float64Array(d * d);
  if (!useTensors(src.n * d * d)) {
    const row = new Float64Array(d);
    for (let i = 0; i < src.n; i++) {
      const xo = i * d;
      const so = src.shift ? (src.shiftIndex ? src.shiftIndex[i] : 0) * d : -1;
      for (let k = 0; k < d; k++) row[k] = so >= 0 ? src.x[xo + k] - src.shift![so + k] : src.x[xo + k];
      for (let a = 0; a < d; a++) {
        const va = row[a];
        if (va === 0) continue;
        const o = a * d;
        for (let b = a; b < d; b++) out[o + b] += va * row[b];
      }
    }
  } else {
    // Only the upper blocks of the symmetric result: [X1 X2]'[X1 X2] needs X1'X1, X1'X2 and X2'X2 (3/4 of the work).
    // The column halves and their transposes are written here, because tfjs-wasm's transpose (and matMul's
    // transpose flags, 10x slower still) cost more than these copies.
    const h = d >= 128 ? Math.floor(d / 2) : d;
    const halves: [number, number][] = h < d ? [[0, h], [h, d]] : [[0, d]]; // prettier-ignore
    const pairs: [number, number][] = h < d ? [[0, 0], [0, 1], [1, 1]] : [[0, 0]]; // prettier-ignore
    for (let s = 0; s < src.n; s += CHUNK) {
      const count = Math.min(CHUNK, src.n - s);
      const cols = halves.map(([k0, k1]) => {
        const w = k1 - k0;
        const x = new Float32Array(count * w);
        const t = new Float32Array(count * w);
        const { x: src0, shift, shiftIndex } = src;
        for (let i = 0; i < count; i++) {
          const xo = (s + i) * d + k0;
          const so = shift ? (shiftIndex ? shiftIndex[s + i] : 0) * d + k0 : -1;
          for (let k = 0, o = i * w; k < w; k++, o++) {
            const v = so >= 0 ? src0[xo + k] - shift![so + k] : src0[xo + k];
            x[o] = v;
            t[k * count + i] = v;
          }
        }
        return { k0, w, x: tf.tensor2d(x, [count, w]), t: tf.tensor2d(t, [w, count]) };
      });
      for (const [pa, pb] of pairs) {
        const A = cols[pa];
        const B = cols[pb];
        const g = tf.matMul(A.t, B.x);
        const data = await g.data();
        g.dispose();
        for (let a = 0; a < A.w; a++)
          for (let b = pa === pb ? a : 0; b < B.w; b++) out[(A.k0 + a) * d + B.k0 + b] += data[a * B.w + b];
      }
      for (const c of cols) tf.dispose([c.x, c.t]);
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) out[a * d + b] = out[b * d + a];
  return out;
}

/** ||A (x_i - shift_i)||^2 for every row: the squared norm of its projection onto the R rows of A (float64). */
export async function projectedNorms2(src: RowSource, A: Float64Array, R: number): Promise<Float64Array> {
  const out = new Float64Array(src.n);
  await projectChunks(src, A, R, (start, count, y) => {
    for (let i = 0; i < count; i++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += y[i * R + r] * y[i * R + r];
      out[start + i] = s;
    }
  });
  return out;
}
