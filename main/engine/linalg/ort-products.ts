// Large float32 products of the OOD detectors through ONNX Runtime's CPU provider: small graphs built in memory
// and run block by block, so the products run in MLAS's native GEMM (AVX2 / AVX-512 where the CPU has it) instead
// of the WebAssembly one, at about three times the speed per CPU-second on the benchmark's machine.
//  - ortTopInnerProducts (KNN's and NNGuide's neighbour search): Gemm(query block, bank, transB = 1) then TopK, so
//    the selection also runs natively on the same block and only the kmax survivors of each row come back. The
//    bank is an input, not an initializer: one session serves every bank and no copy of it is serialised. Query
//    rows go in blocks whose product stays near BLOCK_VALUES floats, so memory is bounded whatever the sizes.
//  - ortProjectChunks (the detectors' projections, linalg/gemm.ts): Gemm(x block - shift, A, transB = 1).
// Where onnxruntime-node cannot be loaded (no native binding for this platform) both say so (null / false) and the
// caller keeps its tfjs (WebAssembly) path.
import { availableParallelism } from 'node:os';
import type * as OrtModule from 'onnxruntime-node';
import { FLOAT, encodeModel, intAttribute, valueInfo } from '../model/onnx/proto';

type Ort = typeof OrtModule;
type Session = OrtModule.InferenceSession;

/** Floats in one block's product (query rows x bank rows): 64 MiB. */
const BLOCK_VALUES = 1 << 24;
/**
 * ONNX Runtime's intra-op threads: one per core (bench/ood-methods.ts gives its NumPy reference the same count through
 * OMP_NUM_THREADS); OODLAB_PRODUCT_THREADS overrides it.
 */
export const ORT_PRODUCT_THREADS = Number(process.env.OODLAB_PRODUCT_THREADS) || availableParallelism();

const INT64 = 7;

type Node = {
  opType: string;
  input: string[];
  output: string[];
  attribute?: ReturnType<typeof intAttribute>[];
};
type Io = [name: string, elemType: number, dims: (number | string)[]];

function graph(name: string, node: Node[], input: Io[], output: Io[]): Uint8Array {
  const vi = ([n, elemType, dims]: Io) => valueInfo(n, dims, elemType);
  return encodeModel({
    irVersion: 7,
    producerName: 'OODLab',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name, node, input: input.map(vi), output: output.map(vi) },
  });
}

const graphs = {
  /** top = TopK(query . bank', k): the k largest of each row, sorted descending. */
  top: () =>
    graph(
      'oodlab_top_inner_products',
      [
        {
          opType: 'Gemm',
          input: ['query', 'bank'],
          output: ['products'],
          attribute: [intAttribute('transB', 1)],
        },
        { opType: 'TopK', input: ['products', 'k'], output: ['top', 'index'] },
      ],
      [['query', FLOAT, ['n', 'dim']], ['bank', FLOAT, ['N', 'dim']], ['k', INT64, [1]]], // prettier-ignore
      [['top', FLOAT, ['n', 'kmax']]],
    ),
  /** y = (x - shift) . A'. */
  project: () =>
    graph(
      'oodlab_project_rows',
      [
        { opType: 'Sub', input: ['x', 'shift'], output: ['centred'] },
        { opType: 'Gemm', input: ['centred', 'A'], output: ['y'], attribute: [intAttribute('transB', 1)] },
      ],
      [['x', FLOAT, ['n', 'dim']], ['shift', FLOAT, [1, 'dim']], ['A', FLOAT, ['R', 'dim']]], // prettier-ignore
      [['y', FLOAT, ['n', 'R']]],
    ),
};

let disabled = false;

/** Tests switch ONNX Runtime off (true) to check the fallback, and on again. */
export function setOrtProductsDisabled(off: boolean): void {
  disabled = off;
}

let ortModule: Promise<Ort | null> | null = null;
const sessions = new Map<keyof typeof graphs, Promise<{ ort: Ort; session: Session } | null>>();

/** ONNX Runtime and one graph's session, or null when the native module or the session cannot be made here. */
function load(which: keyof typeof graphs): Promise<{ ort: Ort; session: Session } | null> {
  if (disabled) return Promise.resolve(null);
  ortModule ??= import('onnxruntime-node').catch(() => null);
  let s = sessions.get(which);
  if (!s) {
    s = (async () => {
      const ort = await ortModule;
      if (!ort) return null;
      try {
        const session = await ort.InferenceSession.create(graphs[which](), {
          executionProviders: ['cpu'],
          graphOptimizationLevel: 'all',
          intraOpNumThreads: ORT_PRODUCT_THREADS,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          logSeverityLevel: 3,
          // Idle pool threads sleep instead of spinning between blocks (spinning burns CPU on a shared machine).
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        });
        return { ort, session };
      } catch {
        return null;
      }
    })();
    sessions.set(which, s);
  }
  return s;
}

/** True when ONNX Runtime's products are available in this process. */
export async function ortProductsAvailable(): Promise<boolean> {
  return (await load('top')) !== null;
}

const f32 = (v: Float32Array | Float64Array) => (v instanceof Float32Array ? v : Float32Array.from(v));

/**
 * out[i * kmax + r] = the (r+1)-th largest q_i . b_j over the N bank rows (float32 products, sorted descending),
 * or null when ONNX Runtime is unavailable. kmax must lie in 1..N (checked by the caller). blockRows: query rows per
 * product (default: about BLOCK_VALUES floats per block).
 */
export async function ortTopInnerProducts(
  bank: Float32Array,
  N: number,
  query: Float32Array | Float64Array,
  n: number,
  dim: number,
  kmax: number,
  blockRows?: number,
): Promise<Float32Array | null> {
  const loaded = await load('top');
  if (!loaded) return null;
  const { ort, session } = loaded;
  const out = new Float32Array(n * kmax);
  const rows = blockRows ?? Math.max(16, Math.min(2048, Math.floor(BLOCK_VALUES / N)));
  const b = new ort.Tensor('float32', bank.subarray(0, N * dim), [N, dim]);
  const k = new ort.Tensor('int64', BigInt64Array.of(BigInt(kmax)), [1]);
  for (let s = 0; s < n; s += rows) {
    const count = Math.min(rows, n - s);
    const v = query.subarray(s * dim, (s + count) * dim);
    const q = new ort.Tensor('float32', f32(v), [count, dim]);
    const r = await session.run({ query: q, bank: b, k });
    out.set(r.top.data as Float32Array, s * kmax);
    r.top.dispose();
  }
  return out;
}

/** Rows per projection block (as the tfjs path's chunks). */
const PROJECT_ROWS = 4096;

/**
 * Calls onChunk(start, count, y) for consecutive blocks of rows with y[i * R + r] = A_r . (x_i - shift) in float32
 * (A: R rows of length dim; shift: one row, or none), in order, covering every row once. Returns false, having
 * called nothing, when ONNX Runtime is unavailable.
 */
export async function ortProjectChunks(
  x: Float32Array | Float64Array,
  n: number,
  dim: number,
  shift: Float64Array | undefined,
  A: Float64Array,
  R: number,
  onChunk: (start: number, count: number, y: Float32Array) => void,
): Promise<boolean> {
  const loaded = await load('project');
  if (!loaded) return false;
  const { ort, session } = loaded;
  const a = new ort.Tensor('float32', Float32Array.from(A.subarray(0, R * dim)), [R, dim]);
  const sh = new ort.Tensor('float32', shift ? Float32Array.from(shift.subarray(0, dim)) : new Float32Array(dim), [1, dim]); // prettier-ignore
  for (let s = 0; s < n; s += PROJECT_ROWS) {
    const count = Math.min(PROJECT_ROWS, n - s);
    const v = new ort.Tensor('float32', f32(x.subarray(s * dim, (s + count) * dim)), [count, dim]);
    const r = await session.run({ x: v, shift: sh, A: a });
    onChunk(s, count, r.y.data as Float32Array);
  }
  return true;
}
