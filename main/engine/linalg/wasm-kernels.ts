// The analyses' two heavy loops as WebAssembly SIMD (backend/assembly/analysis.ts, embedded in analysis-module.ts):
// the float64 projections of many float32 feature rows onto a few reference rows (every NC metric, the logits
// h W' + b) and the Gram matrix sum q_i q_i' of NC1. Measured on this 2-core Xeon, 50,000 x 512 x 100: see
// kernels.ts. Synchronous and on this thread, so the callers stay plain functions; the samples go through the
// module's memory a chunk at a time (a few MiB), never a second copy of a whole feature matrix.
// OODLAB_WASM_SIMD_KERNELS=0 (or an engine without WebAssembly SIMD) keeps the JavaScript loops.
import { analysisKernelsBase64 } from './analysis-module';

interface Instance {
  memory: { buffer: ArrayBuffer | SharedArrayBuffer; grow(pages: number): number };
  project: (...args: number[]) => void;
  gramUpper: (...args: number[]) => void;
}

const WA = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
      Memory: new (d: { initial: number; maximum: number; shared: boolean }) => Instance['memory'];
    };
  }
).WebAssembly;

const PAGE = 65536;
/** Bytes of samples (and their results) per call into the module. */
const CHUNK_BYTES = 8 << 20;
let chunkBytes = CHUNK_BYTES;

/** Tests make chunks tiny to cross chunk boundaries on small inputs; no argument restores the default. */
export function setChunkBytes(bytes = CHUNK_BYTES): void {
  chunkBytes = bytes;
}

let instance: Instance | null | undefined;
/** Why the kernels are not in use ('' when they are). */
export let analysisKernelsUnavailable = '';

/** Whether the kernels load here (tests use it to know that they exercise them). */
export function analysisKernelsLoaded(): boolean {
  return load() !== null;
}

function load(): Instance | null {
  if (instance !== undefined) return instance;
  instance = null;
  if (process.env.OODLAB_WASM_SIMD_KERNELS === '0') {
    analysisKernelsUnavailable = 'turned off by OODLAB_WASM_SIMD_KERNELS=0';
    return null;
  }
  try {
    const memory = new WA.Memory({ initial: 1, maximum: 65536, shared: true });
    const mod = new WA.Module(Buffer.from(analysisKernelsBase64, 'base64'));
    const ex = new WA.Instance(mod, { env: { memory } }).exports;
    instance = {
      memory,
      project: ex.project as Instance['project'],
      gramUpper: ex.gramUpper as Instance['gramUpper'],
    };
  } catch (err) {
    analysisKernelsUnavailable = `WebAssembly SIMD is not available here (${(err as Error).message})`;
  }
  return instance;
}

/** Lays out regions of the given byte sizes (16-byte aligned) and grows the memory to hold them. */
function layout(k: Instance, sizes: number[]): number[] {
  const at: number[] = [];
  let end = 16;
  for (const s of sizes) {
    at.push(end);
    end += Math.ceil(s / 16) * 16;
  }
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / PAGE));
  return at;
}

export interface WasmProjectOptions {
  shift?: Float64Array;
  shiftIndex?: Int32Array;
  norms2?: Float64Array;
}

/** projectRows (kernels.ts) for float32 rows; null when the kernels are unavailable. */
export function wasmProjectRows(
  x: Float32Array,
  n: number,
  dim: number,
  A: Float64Array,
  R: number,
  o: WasmProjectOptions,
): Float64Array | null {
  const k = load();
  if (!k) return null;
  const R4 = Math.ceil(R / 4) * 4;
  const shiftRows = o.shift ? o.shift.length / dim : 0;
  const chunk = Math.max(4, Math.floor(chunkBytes / (dim * 4 + R * 8 + 12) / 4) * 4);
  const rows = Math.min(chunk, n);
  const [aP, sP, bufP, xP, iP, oP, nP] = layout(k, [
    R4 * dim * 8,
    shiftRows * dim * 8,
    4 * dim * 8,
    rows * dim * 4,
    rows * 4,
    rows * R * 8,
    rows * 8,
  ]);
  const buf = k.memory.buffer;
  // A packed by blocks of four rows: packed[(rb*dim + j)*4 + r] = A[(rb*4 + r)*dim + j], zero past R.
  const packed = new Float64Array(buf, aP, R4 * dim);
  packed.fill(0);
  for (let r = 0; r < R; r++) {
    const base = (r >> 2) * dim * 4 + (r & 3);
    for (let j = 0; j < dim; j++) packed[base + j * 4] = A[r * dim + j];
  }
  if (o.shift) new Float64Array(buf, sP, o.shift.length).set(o.shift);
  const mode = !o.shift ? 0 : o.shiftIndex ? 2 : 1;
  const out = new Float64Array(n * R);
  const xs = new Float32Array(buf, xP, rows * dim);
  const is = new Int32Array(buf, iP, rows);
  const os = new Float64Array(buf, oP, rows * R);
  const ns = new Float64Array(buf, nP, rows);
  for (let s = 0; s < n; s += rows) {
    const count = Math.min(rows, n - s);
    xs.set(x.subarray(s * dim, (s + count) * dim));
    if (mode === 2) is.set(o.shiftIndex!.subarray(s, s + count));
    k.project(xP, dim, aP, R, R4, sP, iP, mode, oP, nP, bufP, 0, count);
    out.set(count === rows ? os : os.subarray(0, count * R), s * R);
    if (o.norms2) o.norms2.set(count === rows ? ns : ns.subarray(0, count), s);
  }
  return out;
}

/** G = sum_i q_i q_i' (C x C, symmetric) of the n x C float64 rows q; null when the kernels are unavailable. */
export function wasmGram(q: Float64Array, n: number, C: number): Float64Array | null {
  const k = load();
  if (!k) return null;
  const rows = Math.min(n, Math.max(2, Math.floor(chunkBytes / (C * 8))));
  const [gP, qP] = layout(k, [C * C * 8, rows * C * 8]);
  const buf = k.memory.buffer;
  const g = new Float64Array(buf, gP, C * C);
  g.fill(0);
  const qs = new Float64Array(buf, qP, rows * C);
  for (let s = 0; s < n; s += rows) {
    const count = Math.min(rows, n - s);
    qs.set(q.subarray(s * C, (s + count) * C));
    k.gramUpper(qP, C, gP, 0, count, 0, C);
  }
  const G = Float64Array.from(g);
  for (let a = 0; a < C; a++) for (let b = 0; b < a; b++) G[a * C + b] = G[b * C + a];
  return G;
}
