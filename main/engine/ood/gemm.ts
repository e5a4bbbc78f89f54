// The two heavy products of the detectors, written once: projections of many feature rows onto a few directions
// (scores) and the scatter matrix X'X of ID train (covariances). Small problems run in exact float64 JavaScript;
// large ones (50,000 x 512 train features) go through tfjs matMul on this thread's backend (XNNPACK on wasm, the
// GPU on webgpu), which is 5-10x faster than the best float64 JS loop measured here (0.8 G multiply-adds/s).
// Rows are centred in float64 before they are rounded to float32, and every chunk of CHUNK rows is summed into a
// float64 accumulator, so the float32 error stays per chunk (relative ~1e-6), not over 50,000 rows.
import { currentBackend, tf } from '../backend';
import { projectRows } from '../nc/kernels';

export type Rows = Float32Array | Float64Array;

/** n rows of length dim; each row has `shift` (or its row shiftIndex[i], a C x dim matrix) subtracted first. */
export interface RowSource {
  x: Rows;
  n: number;
  dim: number;
  shift?: Float64Array;
  shiftIndex?: Int32Array;
}

const CHUNK = 4096;
/** Multiply-adds from which tensors are used when a backend is initialised in this thread. */
let tensorThreshold = 2e7;

/** Tests force one path or the other (0 = always tensors, Infinity = always float64 JS). */
export function setTensorThreshold(work: number): void {
  tensorThreshold = work;
}

const useTensors = (work: number) => currentBackend() !== null && work >= tensorThreshold;

function shiftedChunk(src: RowSource, start: number, count: number): Float32Array {
  const { x, dim, shift, shiftIndex } = src;
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const xo = (start + i) * dim;
    const oo = i * dim;
    if (!shift) {
      for (let k = 0; k < dim; k++) out[oo + k] = x[xo + k];
      continue;
    }
    const so = shiftIndex ? shiftIndex[start + i] * dim : 0;
    for (let k = 0; k < dim; k++) out[oo + k] = x[xo + k] - shift[so + k];
  }
  return out;
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
  const at = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(A), [R, src.dim])));
  try {
    for (let s = 0; s < src.n; s += CHUNK) {
      const count = Math.min(CHUNK, src.n - s);
      const y = tf.tidy(() => tf.matMul(tf.tensor2d(shiftedChunk(src, s, count), [count, src.dim]), at));
      const data = await y.data();
      y.dispose();
      onChunk(s, count, data);
    }
  } finally {
    at.dispose();
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
    const h = d >= 128 ? Math.floor(d / 2) : d;
    const blocks: [number, number, number, number][] = h < d ? [[0, h, 0, h], [0, h, h, d], [h, d, h, d]] : [[0, d, 0, d]]; // prettier-ignore
    for (let s = 0; s < src.n; s += CHUNK) {
      const count = Math.min(CHUNK, src.n - s);
      const xc = tf.tensor2d(shiftedChunk(src, s, count), [count, d]);
      for (const [a0, a1, b0, b1] of blocks) {
        const g = tf.tidy(() => {
          const xa = tf.slice(xc, [0, a0], [count, a1 - a0]);
          const xb = a0 === b0 ? xa : tf.slice(xc, [0, b0], [count, b1 - b0]);
          return tf.matMul(tf.transpose(xa), xb);
        });
        const data = await g.data();
        g.dispose();
        const w = b1 - b0;
        for (let a = a0; a < a1; a++)
          for (let b = Math.max(a, b0); b < b1; b++) out[a * d + b] += data[(a - a0) * w + (b - b0)];
      }
      xc.dispose();
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) out[a * d + b] = out[b * d + a];
  return out;
}
