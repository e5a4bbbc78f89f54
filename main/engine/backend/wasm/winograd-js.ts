/**
 * The tile transforms of Winograd F(4x4, 3x3) (winograd.ts) as plain JavaScript loops on tfjs-wasm's heap: the
 * fallback when the SIMD kernels (simd.ts) are not loaded or the channel counts are not multiples of 4.
 *   U = G g G^T (filter),  V = B^T d B (input tile),  Y = A^T M A (output tile).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type HeapBackend, heapF32, offset } from './ops';

/** The heap and a tensor's float32 index in it. */
const heap = (b: HeapBackend, t: TensorInfo): [Float32Array, number] => [heapF32(b), offset(b, t)];

const Q = 1 / 4;
const S = 1 / 6;
const D = 1 / 12;
const T = 1 / 24;

/** U[k] (ci x co) = G g G^T for every (ci, co), g: HWIO 3x3 filter. */
export function transformFilter(b: HeapBackend, filter: TensorInfo): TensorInfo[] {
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
export function transformInput(
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
export function transformOutput(
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
