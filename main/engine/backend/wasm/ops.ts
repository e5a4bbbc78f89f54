/**
 * Helpers for wasm kernels written in terms of other wasm kernels: they call kernel functions directly (no
 * autodiff tape, no engine bookkeeping) and free their intermediate results themselves.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelName, SimdKernels } from './simd';

export type Backend = { disposeData(dataId: object): boolean };
export type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

function kernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k.kernelFunc;
}

export function run(
  name: string,
  backend: Backend,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  return kernel(name)({ inputs, backend: backend as unknown as tf.KernelBackend, attrs }) as TensorInfo;
}

/** Runs fn with a scope whose intermediate results are freed afterwards, except the returned one. */
export function scoped(
  backend: Backend,
  fn: (keep: (t: TensorInfo) => TensorInfo) => TensorInfo,
): TensorInfo {
  const temps: TensorInfo[] = [];
  try {
    return fn((t) => (temps.push(t), t));
  } finally {
    temps.pop(); // the last one kept is the result
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

export function conv(
  backend: Backend,
  x: TensorInfo,
  filter: TensorInfo,
  pad: Pad4,
  dilations: [number, number],
): TensorInfo {
  return run('Conv2D', backend, { x, filter }, {
    strides: [1, 1],
    pad,
    dilations,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
}

export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
export function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs) {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
}

/** What the backward convolutions use of convInfo: input h x w, filter kh x kw, strides, output oh x ow, top/left padding. */
export function convGeometry(xShape: number[], filterShape: number[], a: ConvAttrs) {
  const info = convInfo(xShape, filterShape, a);
  return {
    h: xShape[1],
    w: xShape[2],
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    oh: info.outHeight,
    ow: info.outWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** The parts of tfjs-wasm's BackendWasm that the heap helpers below use. */
export interface HeapBackend extends Backend {
  wasm: { HEAPF32: Float32Array; wasmMemory?: { buffer: ArrayBuffer | SharedArrayBuffer } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

/** A float32 view of the whole heap, taken after the last allocation (an allocation may grow the heap). */
export function heapF32(b: HeapBackend): Float32Array {
  const buffer = b.wasm.wasmMemory?.buffer;
  return buffer ? new Float32Array(buffer) : b.wasm.HEAPF32;
}

/** Byte address of a tensor's data in the heap (unsigned: the heap may pass 2 GiB). */
export const byteOffset = (b: HeapBackend, t: TensorInfo): number => b.dataIdMap.get(t.dataId).memoryOffset;

/** Float32 index of a tensor's data in the heap. */
export const offset = (b: HeapBackend, t: TensorInfo): number => byteOffset(b, t) >>> 2;

/** A tensor as a matrix over its last axis: [rows, cols]. */
export function rowsCols(x: TensorInfo): [number, number] {
  const cols = x.shape[x.shape.length - 1];
  return [x.shape.reduce((p, q) => p * q, 1) / cols, cols];
}

/**
 * A SIMD column reduction split across threads: kernel `name` runs over `rows` (blocks of 64 rows), each thread
 * writing its own partial of `stride` floats at the byte address args gets; the first `n` floats of the threads'
 * partials are then added into `out`.
 */
export function reduceAcrossThreads(
  b: HeapBackend,
  k: SimdKernels,
  name: KernelName,
  rows: number,
  stride: number,
  n: number,
  args: (partial: number) => number[],
  bytes: number,
  out: TensorInfo,
): void {
  const parts = b.makeOutput([k.threads, stride], 'float32');
  const at = byteOffset(b, parts);
  const used = k.split(name, rows, 64, (t) => args(at + 4 * stride * t), bytes);
  const h = heapF32(b);
  const o = offset(b, out);
  const p = offset(b, parts);
  for (let c = 0; c < n; c++) {
    let sum = 0;
    for (let t = 0; t < used; t++) sum += h[p + stride * t + c];
    h[o + c] = sum;
  }
  b.disposeData(parts.dataId);
}

/**
 * Rank-4 float32 transpose written as plain loops over the heap. tfjs-wasm's Transpose and Reverse kernels
 * walk generic N-d indices per element: 25-45 ms for 4M floats, 260 ms to rotate and transpose a 3x3x512x512
 * filter; these loops take a fraction of that. `flip` reverses the first two input axes (filter rotation).
 */
export function transpose4(
  b: HeapBackend,
  x: TensorInfo,
  perm: [number, number, number, number],
  flip = false,
): TensorInfo {
  const s = x.shape;
  const shape = perm.map((p) => s[p]);
  const out = b.makeOutput(shape, 'float32');
  const h = heapF32(b);
  let o = offset(b, out);
  const stride = [s[1] * s[2] * s[3], s[2] * s[3], s[3], 1];
  // Output axis j walks input axis perm[j]: offset = base + sum_j i_j * step[j] (negative steps when flipped).
  let base = offset(b, x);
  const step = perm.map((a) => {
    if (flip && a < 2) {
      base += (s[a] - 1) * stride[a];
      return -stride[a];
    }
    return stride[a];
  });
  const [d0, d1, d2, d3] = shape;
  const [t0, t1, t2, t3] = step;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      let src = base + i0 * t0 + i1 * t1;
      for (let i2 = 0; i2 < d2; i2++, src += t2) {
        if (t3 === 1) {
          h.copyWithin(o, src, src + d3);
          o += d3;
        } else {
          for (let i3 = 0, q = src; i3 < d3; i3++, q += t3) h[o++] = h[q];
        }
      }
    }
  }
  return out;
}
