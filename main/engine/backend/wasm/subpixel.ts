/**
 * Input gradient of a strided convolution by sub-pixel phases (see subPixel), used by the wasm
 * Conv2DBackpropInput kernel when the input size is a multiple of the stride.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { conv, type HeapBackend, heapF32, offset, type Pad4 } from './ops';

export interface Phase {
  /** First filter tap of this output phase, and how many taps (stride apart) reach it. */
  t0: number;
  taps: number;
  padBefore: number;
  padAfter: number;
}

/** The 1-D phases of a strided convolution's input gradient, or null when the sub-pixel split does not apply. */
export function phases(k: number, s: number, pad: number, inLen: number, outLen: number): Phase[] | null {
  if (inLen % s !== 0) return null;
  const out: Phase[] = [];
  for (let r = 0; r < s; r++) {
    const t0 = (((r + pad) % s) + s) % s;
    const taps = t0 < k ? Math.ceil((k - t0) / s) : 0;
    const c = (r + pad - t0) / s;
    const padBefore = taps - 1 - c;
    const padAfter = inLen / s - 1 + taps - outLen - padBefore;
    if (taps > 0 && (padBefore < 0 || padAfter < 0)) return null;
    out.push({ t0, taps, padBefore, padAfter });
  }
  return out;
}

/**
 * The sub-filter of phase (a, b), rotated 180 degrees with its channels swapped: out[i][j][co][ci] =
 * filter[a.t0 + s (a.taps-1-i)][b.t0 + s (b.taps-1-j)][ci][co]. Plain loops over the heap (tfjs-wasm's
 * StridedSlice + Reverse + Transpose take ~100x longer on 512-channel filters).
 */
function subFilter(backend: HeapBackend, filter: TensorInfo, a: Phase, b: Phase, s: number): TensorInfo {
  const [, kw, ci, co] = filter.shape;
  const out = backend.makeOutput([a.taps, b.taps, co, ci], 'float32');
  const h = heapF32(backend);
  const f = offset(backend, filter);
  let o = offset(backend, out);
  for (let i = 0; i < a.taps; i++) {
    for (let j = 0; j < b.taps; j++) {
      const base = f + ((a.t0 + s * (a.taps - 1 - i)) * kw + b.t0 + s * (b.taps - 1 - j)) * ci * co;
      for (let c = 0; c < co; c++) for (let k = 0, q = base + c; k < ci; k++, q += co) h[o++] = h[q];
    }
  }
  return out;
}

/**
 * Strided input gradient without the zero-dilated dy: output pixels of phase (rh, rw) (i = s*a + r) receive only
 * taps t = t0 + s*m, so each phase is a stride-1 convolution of dy with that sub-filter (rotated, channels
 * swapped), and the s*s phase results are interleaved into dx by copying each pixel's channel vector to its
 * place (phases that no tap reaches stay zero). Same arithmetic as the forward convolution, instead of s*s times it.
 */
export function subPixel(
  backend: HeapBackend,
  keep: (t: TensorInfo) => TensorInfo,
  dy: TensorInfo,
  filter: TensorInfo,
  s: number,
  ph: Phase[],
  pw: Phase[],
  inShape: number[],
): TensorInfo {
  const [n, h, w, ci] = inShape;
  const hs = h / s;
  const ws = w / s;
  const parts: { rh: number; rw: number; t: TensorInfo }[] = [];
  ph.forEach((a, rh) =>
    pw.forEach((b, rw) => {
      if (a.taps === 0 || b.taps === 0) return;
      const f = keep(subFilter(backend, filter, a, b, s));
      const pad: Pad4 = [
        [0, 0],
        [a.padBefore, a.padAfter],
        [b.padBefore, b.padAfter],
        [0, 0],
      ];
      parts.push({ rh, rw, t: keep(conv(backend, dy, f, pad, [1, 1])) });
    }),
  );
  const out = keep(backend.makeOutput([n, h, w, ci], 'float32'));
  const heap = heapF32(backend);
  const o = offset(backend, out);
  if (parts.length < s * s) heap.fill(0, o, o + n * h * w * ci);
  for (const { rh, rw, t } of parts) {
    let src = offset(backend, t);
    for (let img = 0; img < n; img++)
      for (let y = 0; y < hs; y++) {
        let dst = o + ((img * h + s * y + rh) * w + rw) * ci;
        for (let x = 0; x < ws; x++, src += ci, dst += s * ci) heap.copyWithin(dst, src, src + ci);
      }
  }
  return out;
}
