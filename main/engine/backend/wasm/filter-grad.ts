/**
 * Conv2DBackpropFilter of narrow layers as one SIMD kernel (assembly/winograd.ts filterGradDirect): an outer
 * product of x's ci channels with dy's co channels per output pixel and tap, accumulated in a ci x co block that
 * stays in L1, the images split across the SIMD helper threads (each its own partial sum, added here). The
 * general route (kernels.ts) re-expresses the gradient as a convolution whose kernel covers the whole image
 * and whose output has co channels, plus two transposes: at width 8 that was 40% of a training step
 * (bench/train-profile.ts), with XNNPACK running a GEMM 8 columns wide.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { byteOffset, type ConvAttrs, convInfo, type HeapBackend, heapF32, offset, scoped } from './ops';
import type { SimdKernels } from './simd';

/**
 * Where it wins, per layer shape at batch 128 on 2 busy cores, in CPU milliseconds against the general route
 * (Winograd, checked first, keeps the wide stride-1 layers): 1x1 shortcut projections 7-22x; strided 3x3 layers
 * 1.6-4x up to 32 x 64 channels (1.2-3.5x at 64 x 128); stride-1 3x3 layers 3.6-6.6x at 8-16 channels, 2x at 32,
 * 1.2x on the 4x4 maps at 64.
 */
const LIMITS = { pointwise: Infinity, strided: 64 * 128, plain: 64 * 64 };
/** OODLAB_DIRECT_FILTER_GRAD=0 turns it off (to compare against the general route). */
let forced: boolean | null = process.env.OODLAB_DIRECT_FILTER_GRAD === '0' ? false : null;

/** Tests send every layer through the direct kernel (true) or none (false); null restores the measured rule. */
export function forceDirectFilterGrad(on: boolean | null): void {
  forced = on;
}

type Attrs = ConvAttrs & { filterShape: number[]; dilations?: number | [number, number] };

export function directFilterGradApplies(x: TensorInfo, a: Attrs): boolean {
  const [, , ci, co] = a.filterShape;
  const d = a.dilations ?? 1;
  const strides = Array.isArray(a.strides) ? a.strides : [a.strides, a.strides];
  const possible =
    forced !== false &&
    a.dataFormat !== 'NCHW' &&
    x.dtype === 'float32' &&
    co % 4 === 0 &&
    strides[0] === strides[1] &&
    (d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1));
  if (!possible || forced) return possible;
  const [kh, kw] = a.filterShape;
  const limit = kh * kw === 1 ? LIMITS.pointwise : strides[0] > 1 ? LIMITS.strided : LIMITS.plain;
  return ci * co <= limit;
}

export function directFilterGrad(
  b: HeapBackend,
  k: SimdKernels,
  x: TensorInfo,
  dy: TensorInfo,
  a: Attrs,
): TensorInfo {
  const info = convInfo(x.shape, a.filterShape, a);
  const [n, hh, ww, ci] = x.shape;
  const [, oh, ow, co] = dy.shape;
  const [kh, kw] = a.filterShape;
  const size = kh * kw * ci * co;
  return scoped(b, (keep) => {
    const parts = keep(b.makeOutput([k.threads, 2, size], 'float32'));
    const base = byteOffset(b, parts);
    const used = k.split(
      'filterGradDirect',
      n,
      1,
      (t) => [
        byteOffset(b, x),
        hh,
        ww,
        ci,
        byteOffset(b, dy),
        oh,
        ow,
        co,
        kh,
        kw,
        info.strideHeight,
        info.padInfo.top,
        info.padInfo.left,
        base + t * 2 * size * 4,
      ],
      4 * (x.shape.reduce((p, v) => p * v, 1) + dy.shape.reduce((p, v) => p * v, 1)),
    );
    const out = b.makeOutput(a.filterShape, 'float32');
    const h = heapF32(b);
    const o = offset(b, out);
    const p = base >>> 2;
    h.copyWithin(o, p, p + size);
    for (let t = 1; t < used; t++) {
      const q = p + t * 2 * size;
      for (let i = 0; i < size; i++) h[o + i] += h[q + i];
    }
    return keep(out);
  });
}
