/**
 * Input gradient of a strided convolution by sub-pixel phases (see subPixel), used by the wasm
 * Conv2DBackpropInput kernel when the input size is a multiple of the stride.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type Backend, conv, type Pad4, run } from './wasm-ops';

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
 * Strided input gradient without the zero-dilated dy: output pixels of phase (rh, rw) (i = s*a + r) receive only
 * taps t = t0 + s*m, so each phase is a stride-1 convolution of dy with that sub-filter (rotated, channels
 * swapped), and the s*s phase results are interleaved. Same arithmetic as the forward convolution, instead of
 * s*s times it.
 */
export function subPixel(
  backend: Backend,
  keep: (t: TensorInfo) => TensorInfo,
  dy: TensorInfo,
  filter: TensorInfo,
  s: number,
  ph: Phase[],
  pw: Phase[],
  inShape: number[],
): TensorInfo {
  const [n, h, w, ci] = inShape;
  const parts: TensorInfo[] = [];
  for (const a of ph) {
    for (const b of pw) {
      if (a.taps === 0 || b.taps === 0) {
        parts.push(
          keep(run('Fill', backend, {}, { shape: [n, h / s, w / s, ci], value: 0, dtype: 'float32' })),
        );
        continue;
      }
      const co = filter.shape[3];
      const sub = keep(
        run(
          'StridedSlice',
          backend,
          { x: filter },
          {
            begin: [a.t0, b.t0, 0, 0],
            end: [a.t0 + s * (a.taps - 1) + 1, b.t0 + s * (b.taps - 1) + 1, ci, co],
            strides: [s, s, 1, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          },
        ),
      );
      const rot = keep(run('Reverse', backend, { x: sub }, { dims: [0, 1] }));
      const f = keep(run('Transpose', backend, { x: rot }, { perm: [0, 1, 3, 2] }));
      const pad: Pad4 = [
        [0, 0],
        [a.padBefore, a.padAfter],
        [b.padBefore, b.padAfter],
        [0, 0],
      ];
      parts.push(keep(conv(backend, dy, f, pad, [1, 1])));
    }
  }
  // Pack takes its inputs as an array.
  const packed = keep(run('Pack', backend, parts as unknown as Record<string, TensorInfo>, { axis: 0 }));
  const six = keep(run('Reshape', backend, { x: packed }, { shape: [s, s, n, h / s, w / s, ci] }));
  const inter = keep(run('Transpose', backend, { x: six }, { perm: [2, 3, 0, 4, 1, 5] }));
  return keep(run('Reshape', backend, { x: inter }, { shape: [n, h, w, ci] }));
}
