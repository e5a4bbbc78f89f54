/**
 * Helpers for wasm kernels written in terms of other wasm kernels: they call kernel functions directly (no
 * autodiff tape, no engine bookkeeping) and free their intermediate results themselves.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

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
