// Nearest neighbours by inner product for KNN and NNGuide: for every query row, its kmax largest inner products with
// the rows of a bank, sorted in decreasing order. The product is blocked (query rows x all bank rows at a time,
// never a loop over pairs). Small work, or any before a tfjs backend is initialised, runs in float64 JavaScript.
// Large work runs in float32: through ONNX Runtime's CPU GEMM and TopK (linalg/ort-products.ts) unless the
// thread's backend is a GPU, else on the thread's backend (the GPU on webgpu; XNNPACK on wasm where ONNX Runtime
// cannot load). The JavaScript and tfjs paths reduce each block's rows with a min-heap of the kmax largest (one
// comparison per entry) and sort only the kmax survivors.
import { currentBackend, tf } from '../backend';
import { ortTopInnerProducts } from '../linalg/ort-products';
import { projectRows } from '../linalg/kernels';

export type Rows = Float32Array | Float64Array;

const BLOCK = 512;
/** Multiply-adds from which the backend is used (tests lower it to 0 to check the tensor path). */
let tensorThreshold = 2e7;
export function setNeighbourTensorThreshold(work: number): void {
  tensorThreshold = work;
}

/**
 * Top kmax of each row of a block y (count x N, row-major), written sorted descending into out. A min-heap of the
 * kmax largest seen so far: one comparison per entry, and only about kmax ln(N / kmax) insertions per row.
 */
function reduceBlock(
  y: Float32Array | Float64Array,
  count: number,
  N: number,
  kmax: number,
  out: Float32Array,
  at: number,
) {
  const heap = new Float64Array(kmax);
  for (let i = 0; i < count; i++) {
    const o = i * N;
    for (let r = 0; r < kmax; r++) heap[r] = y[o + r];
    heap.sort();
    // heap[0] is the smallest kept; a sorted array is a valid min-heap.
    for (let j = kmax; j < N; j++) {
      const v = y[o + j];
      if (v <= heap[0]) continue;
      // Replace the root and sift down.
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        if (l >= kmax) break;
        const c = l + 1 < kmax && heap[l + 1] < heap[l] ? l + 1 : l;
        if (heap[c] >= v) break;
        heap[p] = heap[c];
        p = c;
      }
      heap[p] = v;
    }
    heap.sort();
    const w = (at + i) * kmax;
    for (let r = 0; r < kmax; r++) out[w + r] = heap[kmax - 1 - r];
  }
}

/** out[i * kmax + r] = the (r+1)-th largest q_i . b_j over the N bank rows (kmax clamped to N by the caller). */
export async function topInnerProducts(
  bank: Float32Array,
  N: number,
  query: Rows,
  n: number,
  dim: number,
  kmax: number,
): Promise<Float32Array> {
  if (!(kmax >= 1 && kmax <= N)) throw new RangeError(`neighbours: k = ${kmax} is outside 1..${N}.`);
  const out = new Float32Array(n * kmax);
  if (n === 0) return out;
  const backend = currentBackend();
  if (backend === null || n * N * dim < tensorThreshold) {
    const A = Float64Array.from(bank);
    for (let s = 0; s < n; s += BLOCK) {
      const count = Math.min(BLOCK, n - s);
      const y = projectRows(query.subarray(s * dim, (s + count) * dim), count, dim, A, N);
      reduceBlock(y, count, N, kmax, out, s);
    }
    return out;
  }
  if (backend.name !== 'webgpu') {
    const top = await ortTopInnerProducts(bank, N, query, n, dim, kmax);
    if (top) return top;
  }
  const bt = tf.tidy(() => tf.transpose(tf.tensor2d(bank, [N, dim])));
  try {
    for (let s = 0; s < n; s += BLOCK) {
      const count = Math.min(BLOCK, n - s);
      const q = query.subarray(s * dim, (s + count) * dim);
      const y = tf.tidy(() =>
        tf.matMul(tf.tensor2d(q instanceof Float32Array ? q : Float32Array.from(q), [count, dim]), bt),
      );
      const data = (await y.data()) as Float32Array;
      y.dispose();
      reduceBlock(data, count, N, kmax, out, s);
    }
  } finally {
    bt.dispose();
  }
  return out;
}
