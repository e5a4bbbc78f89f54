/**
 * Training kernels the tfjs wasm backend lacks or runs slowly, re-expressed as forward convolutions so that
 * XNNPACK does the arithmetic (DESIGN.md "Compute backends"):
 * - Conv2DBackpropFilter (missing): dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, s*oh+kh-pt, s*ow+kw-pl, ci] dy[n,oh,ow,co]
 *   is a stride-1 convolution of x^T (ci as batch, n as channels) with dy^T (oh x ow taps, n -> co) at dilation s;
 *   stride-1 3x3 layers that Winograd applies to are done in the Winograd domain instead (winograd.ts).
 * - Conv2DBackpropInput (stock one is a naive loop): dx is the stride-1 convolution of dy, zero-dilated by s,
 *   with the filter rotated 180 degrees and its in/out channels swapped, padded by k-1-p. When the input size is a
 *   multiple of the stride, strided layers skip the zeros: one convolution per sub-pixel phase (subpixel.ts).
 * Kernels call other wasm kernels directly (no autodiff tape) and free their intermediates.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  type Backend,
  type ConvAttrs,
  conv,
  convGeometry,
  byteOffset,
  type HeapBackend,
  heapF32,
  offset,
  type Pad4,
  run,
  reduceAcrossThreads,
  scoped,
  transpose4,
} from './ops';
import { conv2D, fusedConv2D, winogradApplies } from './conv';
import { simdKernels } from './simd';
import { winogradFilterGrad } from './winograd';
import { directFilterGrad, directFilterGradApplies } from './filter-grad';
import { registerWasmBnKernels } from './bn';
import { phases, subPixel } from './subpixel';

/** What these kernels do not handle goes to the stock kernel; without one, `why` is thrown. */
function fallback(stock: KernelFunc | null, args: Parameters<KernelFunc>[0], why: string) {
  if (stock) return stock(args);
  throw new Error(why);
}

function backpropFilter(stock: KernelFunc | null): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
    const backend = args.backend as unknown as Backend;
    if (a.dataFormat === 'NCHW')
      return fallback(stock, args, 'Conv2DBackpropFilter on wasm supports NHWC only');
    const k = simdKernels();
    const [, , ci, co] = a.filterShape;
    if (k && ci % 4 === 0 && co % 4 === 0 && winogradApplies(x, { shape: a.filterShape }, a))
      return winogradFilterGrad(backend as HeapBackend, k, x, dy);
    if (k && directFilterGradApplies(x, a)) return directFilterGrad(backend as HeapBackend, k, x, dy, a);
    const { h, w, kh, kw, sh, sw, oh, ow, top: pt, left: pl } = convGeometry(x.shape, a.filterShape, a);
    const pb = kh + sh * (oh - 1) - h - pt;
    const pr = kw + sw * (ow - 1) - w - pl;
    return scoped(backend, (keep) => {
      const hb = backend as HeapBackend;
      let xt = keep(transpose4(hb, x, [3, 1, 2, 0])); // (ci, H, W, n)
      if (pb < 0 || pr < 0) {
        const [ci, , , n] = xt.shape;
        xt = keep(
          run(
            'Slice',
            backend,
            { x: xt },
            { begin: [0, 0, 0, 0], size: [ci, h + Math.min(pb, 0), w + Math.min(pr, 0), n] },
          ),
        );
      }
      const f = keep(transpose4(hb, dy, [1, 2, 0, 3])); // (oh, ow, n, co)
      const pad: Pad4 = [
        [0, 0],
        [pt, Math.max(pb, 0)],
        [pl, Math.max(pr, 0)],
        [0, 0],
      ];
      const g = keep(conv(backend, xt, f, pad, [sh, sw])); // (ci, kh, kw, co)
      return keep(transpose4(hb, g, [1, 2, 0, 3]));
    });
  };
}

/** Inserts s-1 zeros after every row/column of dy (NHWC); the trailing zeros count as bottom/right padding. */
function dilate(
  backend: Backend,
  keep: (t: TensorInfo) => TensorInfo,
  dy: TensorInfo,
  sh: number,
  sw: number,
): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const r = keep(run('Reshape', backend, { x: dy }, { shape: [n, oh, 1, ow, 1, c] }));
  const p = keep(
    run(
      'PadV2',
      backend,
      { x: r },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    ),
  );
  return keep(run('Reshape', backend, { x: p }, { shape: [n, oh * sh, ow * sw, c] }));
}

function backpropInput(stock: KernelFunc | null): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
    const backend = args.backend as unknown as Backend;
    if (a.dataFormat === 'NCHW')
      return fallback(stock, args, 'Conv2DBackpropInput on wasm supports NHWC only');
    const { h, w, kh, kw, sh, sw, oh, ow, top: pt, left: pl } = convGeometry(a.inputShape, filter.shape, a);
    if (sh === sw && sh > 1) {
      const ph = phases(kh, sh, pt, h, oh);
      const pw = phases(kw, sw, pl, w, ow);
      if (ph && pw)
        return scoped(backend, (keep) =>
          subPixel(backend as HeapBackend, keep, dy, filter, sh, ph, pw, a.inputShape),
        );
    }
    const top = kh - 1 - pt;
    const left = kw - 1 - pl;
    // The dilated dy is oh*sh tall; its last sh-1 zero rows already act as padding.
    const bottom = h + kh - 1 - oh * sh - top;
    const right = w + kw - 1 - ow * sw - left;
    if (top < 0 || left < 0 || bottom < 0 || right < 0)
      return fallback(
        stock,
        args,
        `Conv2DBackpropInput on wasm: unsupported padding ${JSON.stringify(a.pad)}`,
      );
    return scoped(backend, (keep) => {
      const d = dilate(backend, keep, dy, sh, sw);
      const f = keep(transpose4(backend as HeapBackend, filter, [0, 1, 3, 2], true)); // rotated, (kh, kw, co, ci)
      return keep(
        conv(
          backend,
          d,
          f,
          [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          [1, 1],
        ),
      );
    });
  };
}

/**
 * Sum over leading axes (batch norm's per-channel sums, bias gradients): a column sum of a rows x cols matrix,
 * accumulated in float64 in one pass over the heap. tfjs-wasm's Sum first transposes the reduced axes to the end
 * (28 ms for a 65536 x 64 matrix; this takes a few). Other reductions go to the stock kernel.
 */
function leadingSum(stock: KernelFunc | null): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort(
      (p, q) => p - q,
    );
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return fallback(stock, args, 'stock wasm Sum kernel missing');
    const b = args.backend as unknown as HeapBackend;
    const rows = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
    const rest = x.shape.slice(axes.length);
    const cols = rest.reduce((p, q) => p * q, 1);
    const out = b.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    const k = simdKernels();
    if (k && cols % 4 === 0) {
      // Each thread sums its rows into its own partial (2 cols floats: sums, then block sums), added here.
      reduceAcrossThreads(
        b,
        k,
        'columnSum',
        rows,
        2 * cols,
        cols,
        (partial) => [byteOffset(b, x), cols, partial],
        rows * cols * 4,
        out,
      );
      return out;
    }
    const h = heapF32(b);
    const acc = new Float64Array(cols);
    for (let r = 0, i = offset(b, x); r < rows; r++) for (let c = 0; c < cols; c++, i++) acc[c] += h[i];
    h.set(acc, offset(b, out));
    return out;
  };
}

/**
 * Registers (or replaces) these kernels and the Winograd-routing forward convolutions (conv.ts) on the
 * wasm backend; call before the backend is first used.
 */
export function registerWasmTrainingKernels(): void {
  const replace = (name: string, make: (stock: KernelFunc | null) => KernelFunc) => {
    const existing = tf.getKernel(name, 'wasm');
    if (existing && (existing.kernelFunc as { oodlab?: boolean }).oodlab) return;
    if (existing) tf.unregisterKernel(name, 'wasm');
    const fn = make(existing?.kernelFunc ?? null);
    (fn as { oodlab?: boolean }).oodlab = true;
    // Keep the stock setup so that the stock kernel still works as the fallback for unsupported layouts.
    const config: KernelConfig = {
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: fn,
      setupFunc: existing?.setupFunc,
    };
    tf.registerKernel(config);
  };
  replace('Conv2DBackpropFilter', backpropFilter);
  replace('Conv2DBackpropInput', backpropInput);
  replace('Conv2D', conv2D);
  replace('Sum', leadingSum);
  replace('FusedConv2D', fusedConv2D);
  registerWasmBnKernels();
}
