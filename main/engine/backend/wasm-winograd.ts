/**
 * Winograd F(4x4, 3x3) convolution for the wasm backend (Lavin & Gray 2016): a stride-1 3x3 convolution becomes
 * 36 independent GEMMs (one per point of the 6x6 transformed tile) with 2.25 multiplies per output instead of 9.
 * tfjs-wasm's batched BatchMatMul is a naive loop (~1 GFLOP/s), so each of the 36 GEMMs is its own 2-D matMul,
 * which XNNPACK runs as a fully-connected layer. The tile transforms write the 36 GEMM operands directly in the
 * layout XNNPACK wants, with no tfjs transposes: as WebAssembly SIMD split across threads (wasm-simd.ts) when the
 * threaded build is loaded and the channel counts are multiples of 4, else as the plain JS loops below.
 *   Y = A^T [ (G g G^T) . (B^T d B) ] A,   d: 6x6 input tile (stride 4), Y: 4x4 output tile.
 * The filter gradient (winogradFilterGrad, SIMD only) is the same map transposed.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { byteOffset, type HeapBackend, heapF32, offset, run, scoped } from './wasm-ops';
import { type SimdKernels, simdKernels } from './wasm-simd';

/** The heap and a tensor's float32 index in it. */
const heap = (b: HeapBackend, t: TensorInfo): [Float32Array, number] => [heapF32(b), offset(b, t)];

const Q = 1 / 4;
const S = 1 / 6;
const D = 1 / 12;
const T = 1 / 24;

/** U[k] (ci x co) = G g G^T for every (ci, co), g: HWIO 3x3 filter. */
function transformFilter(b: HeapBackend, filter: TensorInfo): TensorInfo[] {
  const [, , ci, co] = filter.shape;
  const out = Array.from({ length: 36 }, () => b.makeOutput([ci, co], 'float32'));
  // Views are taken after every allocation: an allocation may grow (and so replace) the heap.
  const [h, f] = heap(b, filter);
  const o = out.map((t) => heap(b, t)[1]);
  const s = ci * co;
  const t = new Float64Array(18); // G g: 6 rows x 3 columns
  for (let e = 0; e < s; e++) {
    for (let c = 0; c < 3; c++) {
      const g0 = h[f + c * s + e];
      const g1 = h[f + (3 + c) * s + e];
      const g2 = h[f + (6 + c) * s + e];
      t[c] = g0 * Q;
      t[3 + c] = -(g0 + g1 + g2) * S;
      t[6 + c] = -(g0 - g1 + g2) * S;
      t[9 + c] = g0 * T + g1 * D + g2 * S;
      t[12 + c] = g0 * T - g1 * D + g2 * S;
      t[15 + c] = g2;
    }
    for (let r = 0; r < 6; r++) {
      const g0 = t[3 * r];
      const g1 = t[3 * r + 1];
      const g2 = t[3 * r + 2];
      const k = 6 * r;
      h[o[k] + e] = g0 * Q;
      h[o[k + 1] + e] = -(g0 + g1 + g2) * S;
      h[o[k + 2] + e] = -(g0 - g1 + g2) * S;
      h[o[k + 3] + e] = g0 * T + g1 * D + g2 * S;
      h[o[k + 4] + e] = g0 * T - g1 * D + g2 * S;
      h[o[k + 5] + e] = g2;
    }
  }
  return out;
}

/**
 * V[k] (tiles x ci) = B^T d B for every tile and channel, zero padding 1 on every side (`zero`: c zeros). Done one strip of tiles
 * at a time in two separable passes (rows, then columns) so that every loop reads and writes a handful of
 * contiguous streams; padding taps read a row of zeros (`zero`, c floats) instead of branching.
 * Each V[k] has one spare row so that the 36 arrays are not a power of two apart (cache-set aliasing).
 */
function transformInput(
  b: HeapBackend,
  x: TensorInfo,
  th: number,
  tw: number,
  zero: TensorInfo,
): TensorInfo[] {
  const [n, hh, ww, c] = x.shape;
  const tiles = n * th * tw;
  const out = Array.from({ length: 36 }, () => b.makeOutput([tiles + 1, c], 'float32'));
  const [h, xo] = heap(b, x);
  const zo = heap(b, zero)[1];
  const o = out.map((t) => heap(b, t)[1]);
  const row = (4 * tw + 2) * c; // one transformed row of the strip: padded columns -1 .. 4 tw
  const t = new Float64Array(6 * row); // B^T d for the strip
  const r = new Int32Array(6);
  for (let img = 0; img < n; img++) {
    for (let ty = 0; ty < th; ty++) {
      for (let col = 0; col < 4 * tw + 2; col++) {
        const xx = col - 1;
        for (let i = 0; i < 6; i++) {
          const y = 4 * ty + i - 1;
          r[i] = y >= 0 && y < hh && xx >= 0 && xx < ww ? xo + ((img * hh + y) * ww + xx) * c : zo;
        }
        const r0 = r[0],
          r1 = r[1],
          r2 = r[2],
          r3 = r[3],
          r4 = r[4],
          r5 = r[5];
        for (let ch = 0, a = col * c; ch < c; ch++, a++) {
          const d0 = h[r0 + ch],
            d1 = h[r1 + ch],
            d2 = h[r2 + ch];
          const d3 = h[r3 + ch],
            d4 = h[r4 + ch],
            d5 = h[r5 + ch];
          t[a] = 4 * d0 - 5 * d2 + d4;
          t[row + a] = -4 * (d1 + d2) + d3 + d4;
          t[2 * row + a] = 4 * (d1 - d2) - d3 + d4;
          t[3 * row + a] = 2 * (d3 - d1) - d2 + d4;
          t[4 * row + a] = 2 * (d1 - d3) - d2 + d4;
          t[5 * row + a] = 4 * d1 - 5 * d3 + d5;
        }
      }
      for (let tx = 0; tx < tw; tx++) {
        const e0 = ((img * th + ty) * tw + tx) * c;
        for (let k = 0; k < 36; k += 6) {
          const a0 = (k / 6) * row + 4 * tx * c;
          const o0 = o[k] + e0,
            o1 = o[k + 1] + e0,
            o2 = o[k + 2] + e0;
          const o3 = o[k + 3] + e0,
            o4 = o[k + 4] + e0,
            o5 = o[k + 5] + e0;
          for (let ch = 0, a = a0; ch < c; ch++, a++) {
            const d0 = t[a],
              d1 = t[a + c],
              d2 = t[a + 2 * c];
            const d3 = t[a + 3 * c],
              d4 = t[a + 4 * c],
              d5 = t[a + 5 * c];
            h[o0 + ch] = 4 * d0 - 5 * d2 + d4;
            h[o1 + ch] = -4 * (d1 + d2) + d3 + d4;
            h[o2 + ch] = 4 * (d1 - d2) - d3 + d4;
            h[o3 + ch] = 2 * (d3 - d1) - d2 + d4;
            h[o4 + ch] = 2 * (d1 - d3) - d2 + d4;
            h[o5 + ch] = 4 * d1 - 5 * d3 + d5;
          }
        }
      }
    }
  }
  return out;
}

/** Y = A^T M A per tile and channel (+ bias, ReLU), written into NHWC, cropping partial edge tiles. */
function transformOutput(
  b: HeapBackend,
  m: TensorInfo[],
  shape: number[],
  th: number,
  tw: number,
  bias: TensorInfo | null,
  relu: boolean,
): TensorInfo {
  const [n, hh, ww, co] = shape;
  const out = b.makeOutput(shape, 'float32');
  const [h, yo] = heap(b, out);
  const mo = m.map((t) => heap(b, t)[1]);
  const bo = bias ? heap(b, bias)[1] : -1;
  const s = new Float64Array(24); // A^T M: 4 rows x 6 columns
  for (let img = 0, tile = 0; img < n; img++) {
    for (let ty = 0; ty < th; ty++) {
      const rows = Math.min(4, hh - 4 * ty);
      for (let tx = 0; tx < tw; tx++, tile++) {
        const cols = Math.min(4, ww - 4 * tx);
        const base = tile * co;
        const yb = yo + ((img * hh + 4 * ty) * ww + 4 * tx) * co;
        for (let ch = 0; ch < co; ch++) {
          const e = base + ch;
          for (let j = 0; j < 6; j++) {
            const m0 = h[mo[j] + e],
              m1 = h[mo[6 + j] + e],
              m2 = h[mo[12 + j] + e];
            const m3 = h[mo[18 + j] + e],
              m4 = h[mo[24 + j] + e],
              m5 = h[mo[30 + j] + e];
            s[j] = m0 + m1 + m2 + m3 + m4;
            s[6 + j] = m1 - m2 + 2 * (m3 - m4);
            s[12 + j] = m1 + m2 + 4 * (m3 + m4);
            s[18 + j] = m1 - m2 + 8 * (m3 - m4) + m5;
          }
          const bv = bo >= 0 ? h[bo + ch] : 0;
          for (let i = 0; i < rows; i++) {
            const k = 6 * i;
            const m0 = s[k],
              m1 = s[k + 1],
              m2 = s[k + 2],
              m3 = s[k + 3],
              m4 = s[k + 4],
              m5 = s[k + 5];
            const at = yb + i * ww * co + ch;
            let v = m0 + m1 + m2 + m3 + m4 + bv;
            h[at] = relu && v < 0 ? 0 : v;
            if (cols < 2) continue;
            v = m1 - m2 + 2 * (m3 - m4) + bv;
            h[at + co] = relu && v < 0 ? 0 : v;
            if (cols < 3) continue;
            v = m1 + m2 + 4 * (m3 + m4) + bv;
            h[at + 2 * co] = relu && v < 0 ? 0 : v;
            if (cols < 4) continue;
            v = m1 - m2 + 8 * (m3 - m4) + m5 + bv;
            h[at + 3 * co] = relu && v < 0 ? 0 : v;
          }
        }
      }
    }
  }
  return out;
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

/** V[k] (tiles x c, one spare row) = B^T d B of x's tiles by the SIMD kernel, split across threads. */
function simdInput(
  b: HeapBackend,
  k: SimdKernels,
  keep: (t: TensorInfo) => TensorInfo,
  x: TensorInfo,
  zero: TensorInfo,
): TensorInfo[] {
  const [n, hh, ww, c] = x.shape;
  const th = Math.ceil(hh / 4);
  const tw = Math.ceil(ww / 4);
  const tiles = n * th * tw;
  const v = Array.from({ length: 36 }, () => keep(b.makeOutput([tiles + 1, c], 'float32')));
  setTable(b, k, v);
  k.split(
    'inputTransform',
    tiles,
    1,
    (t) => [byteOffset(b, x), hh, ww, c, th, tw, byteOffset(b, zero), k.table, k.scratch(t)],
    37 * 4 * tiles * c,
  );
  return v;
}

/** The three transforms in WebAssembly SIMD (wasm-simd.ts), split across threads. */
function winogradSimd(
  b: HeapBackend,
  k: SimdKernels,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null,
  relu: boolean,
): TensorInfo {
  const [n, hh, ww, c] = x.shape;
  const co = filter.shape[3];
  const th = Math.ceil(hh / 4);
  const tw = Math.ceil(ww / 4);
  const tiles = n * th * tw;
  return scoped(b, (keep) => {
    const u = Array.from({ length: 36 }, () => keep(b.makeOutput([c, co], 'float32')));
    setTable(b, k, u);
    k.split('filterTransform', c * co, 4, () => [byteOffset(b, filter), c * co, k.table], 45 * 4 * c * co);
    const v = simdInput(b, k, keep, x, keep(zeros(b, c)));
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
  const [n, hh, ww, c] = x.shape;
  const co = filter.shape[3];
  const k = simdKernels();
  if (k && c % 4 === 0 && co % 4 === 0) return winogradSimd(b, k, x, filter, bias, relu);
  const th = Math.ceil(hh / 4);
  const tw = Math.ceil(ww / 4);
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
  const [n, hh, ww, ci] = x.shape;
  const co = dy.shape[3];
  const th = Math.ceil(hh / 4);
  const tw = Math.ceil(ww / 4);
  const tiles = n * th * tw;
  return scoped(b, (keep) => {
    const zero = keep(zeros(b, Math.max(ci, co)));
    const v = simdInput(b, k, keep, x, zero);
    const dm = Array.from({ length: 36 }, () => keep(b.makeOutput([tiles, co], 'float32')));
    setTable(b, k, dm);
    k.split(
      'gradOutputTransform',
      tiles,
      1,
      (t) => [byteOffset(b, dy), hh, ww, co, th, tw, byteOffset(b, zero), k.table, k.scratch(t)],
      37 * 4 * tiles * co,
    );
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
