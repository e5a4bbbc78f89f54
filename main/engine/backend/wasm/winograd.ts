/**
 * Winograd F(4x4, 3x3) convolution for the wasm backend (Lavin & Gray 2016): a stride-1 3x3 convolution becomes
 * 36 independent GEMMs (one per point of the 6x6 transformed tile) with 2.25 multiplies per output instead of 9.
 * tfjs-wasm's batched BatchMatMul is a naive loop (~1 GFLOP/s), so each of the 36 GEMMs is its own 2-D matMul,
 * which XNNPACK runs as a fully-connected layer. The tile transforms write the 36 GEMM operands directly in the
 * layout XNNPACK wants, with no tfjs transposes: as WebAssembly SIMD split across threads (simd.ts) when the
 * threaded build is loaded and the channel counts are multiples of 4, else as plain JS loops (winograd-js.ts).
 *   Y = A^T [ (G g G^T) . (B^T d B) ] A,   d: 6x6 input tile (stride 4), Y: 4x4 output tile.
 * The filter gradient (winogradFilterGrad, SIMD only) is the same map transposed.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { byteOffset, type HeapBackend, heapF32, offset, run, scoped } from './ops';
import { type SimdKernels, simdKernels } from './simd';
import { transformFilter, transformInput, transformOutput } from './winograd-js';

/** x's shape (n, hh, ww, c) and its grid of 4x4 output tiles: th x tw per image, `tiles` in all. */
function tileGrid(x: TensorInfo) {
  const [n, hh, ww, c] = x.shape;
  const th = Math.ceil(hh / 4);
  const tw = Math.ceil(ww / 4);
  return { n, hh, ww, c, th, tw, tiles: n * th * tw };
}

/** Writes one of the kernels' 36-entry pointer tables (byte addresses of `ts`). */
function setTable(b: HeapBackend, k: SimdKernels, ts: TensorInfo[], table = k.table): void {
  new Uint32Array(heapF32(b).buffer, table, 36).set(ts.map((t) => byteOffset(b, t)));
}

/** n floats of zero: what the transforms read for taps outside the image. */
function zeros(b: HeapBackend, n: number): TensorInfo {
  const z = b.makeOutput([n], 'float32');
  heapF32(b).fill(0, offset(b, z), offset(b, z) + n);
  return z;
}

/** The 36 products a[k] b[k], each one 2-D XNNPACK matMul (tfjs-wasm's batched one is a naive loop). */
const products = (b: HeapBackend, keep: (t: TensorInfo) => TensorInfo, a: TensorInfo[], bk: TensorInfo[]) =>
  a.map((ak, i) =>
    keep(run('BatchMatMul', b, { a: ak, b: bk[i] }, { transposeA: false, transposeB: false })),
  );

/**
 * The 36 tile matrices (tiles + `spare` rows x c) of an NHWC tensor by a SIMD transform split across threads:
 * V = B^T d B of the input ('inputTransform'), or dM = A dY A^T of the output gradient ('gradOutputTransform').
 */
function simdTiles(
  b: HeapBackend,
  k: SimdKernels,
  keep: (t: TensorInfo) => TensorInfo,
  name: 'inputTransform' | 'gradOutputTransform',
  x: TensorInfo,
  zero: TensorInfo,
  spare: number,
): TensorInfo[] {
  const { hh, ww, c, th, tw, tiles } = tileGrid(x);
  const v = Array.from({ length: 36 }, () => keep(b.makeOutput([tiles + spare, c], 'float32')));
  setTable(b, k, v);
  k.split(
    name,
    tiles,
    1,
    (t) => [byteOffset(b, x), hh, ww, c, th, tw, byteOffset(b, zero), k.table, k.scratch(t)],
    37 * 4 * tiles * c,
  );
  return v;
}

/** The three transforms in WebAssembly SIMD (simd.ts), split across threads. */
function winogradSimd(
  b: HeapBackend,
  k: SimdKernels,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null,
  relu: boolean,
): TensorInfo {
  const { n, hh, ww, c, th, tw, tiles } = tileGrid(x);
  const co = filter.shape[3];
  return scoped(b, (keep) => {
    const u = Array.from({ length: 36 }, () => keep(b.makeOutput([c, co], 'float32')));
    setTable(b, k, u);
    k.split('filterTransform', c * co, 4, () => [byteOffset(b, filter), c * co, k.table], 45 * 4 * c * co);
    // One spare row per V[k], as in transformInput (cache-set aliasing).
    const v = simdTiles(b, k, keep, 'inputTransform', x, keep(zeros(b, c)), 1);
    const m = products(b, keep, v, u);
    const out = b.makeOutput([n, hh, ww, co], 'float32');
    setTable(b, k, m);
    k.split(
      'outputTransform',
      tiles,
      1,
      (t) => [
        k.table,
        byteOffset(b, out),
        hh,
        ww,
        co,
        th,
        tw,
        bias ? byteOffset(b, bias) : 0,
        relu ? 1 : 0,
        k.scratch(t),
      ],
      37 * 4 * tiles * co,
    );
    return keep(out);
  });
}

/** Stride-1, pad-1 3x3 NHWC convolution (+ optional bias and ReLU) by Winograd F(4x4, 3x3). */
export function winogradConv3x3(
  b: HeapBackend,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null = null,
  relu = false,
): TensorInfo {
  const { n, hh, ww, c, th, tw } = tileGrid(x);
  const co = filter.shape[3];
  const k = simdKernels();
  if (k && c % 4 === 0 && co % 4 === 0) return winogradSimd(b, k, x, filter, bias, relu);
  return scoped(b, (keep) => {
    const u = transformFilter(b, filter).map(keep);
    const v = transformInput(b, x, th, tw, keep(zeros(b, c))).map(keep);
    const m = products(b, keep, v, u);
    return keep(transformOutput(b, m, [n, hh, ww, co], th, tw, bias, relu));
  });
}

/**
 * Filter gradient of the stride-1, pad-1 3x3 convolution of x (n, hh, ww, ci) giving dy (n, hh, ww, co), in the
 * Winograd domain (the transpose of the forward map): dU[k] = V[k]^T dM[k] with V = B^T d B (the forward input
 * transform) and dM = A dY A^T, then dg = G^T dU G. 36 GEMMs of ci x tiles x co: a quarter of the direct
 * product's multiplies. Needs the SIMD kernels and channel counts that are multiples of 4.
 */
export function winogradFilterGrad(
  b: HeapBackend,
  k: SimdKernels,
  x: TensorInfo,
  dy: TensorInfo,
): TensorInfo {
  const { c: ci, tiles } = tileGrid(x);
  const co = dy.shape[3];
  return scoped(b, (keep) => {
    const zero = keep(zeros(b, Math.max(ci, co)));
    const v = simdTiles(b, k, keep, 'inputTransform', x, zero, 1);
    const dm = simdTiles(b, k, keep, 'gradOutputTransform', dy, zero, 0);
    // V[k]^T as its own matrices (XNNPACK's GEMM takes no transposed left operand; tfjs' fallback is a naive loop).
    const vt = Array.from({ length: 36 }, () => keep(b.makeOutput([ci, tiles], 'float32')));
    setTable(b, k, v);
    setTable(b, k, vt, k.table2);
    k.split('transposeTable', 36, 1, () => [k.table, k.table2, tiles, ci], 2 * 36 * 4 * tiles * ci);
    const du = products(b, keep, vt, dm);
    const out = b.makeOutput([3, 3, ci, co], 'float32');
    setTable(b, k, du);
    k.split(
      'filterGradTransform',
      ci * co,
      4,
      (t) => [k.table, ci * co, byteOffset(b, out), k.scratch(t)],
      45 * 4 * ci * co,
    );
    return keep(out);
  });
}
