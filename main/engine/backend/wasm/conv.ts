/**
 * Forward convolution kernels for the wasm backend that send stride-1, pad-1 3x3 convolutions (almost all of
 * ResNet-18's arithmetic) to Winograd F(4x4, 3x3) (winograd.ts) and everything else to the stock XNNPACK
 * kernels. Replacing Conv2D also covers the stride-1 Conv2DBackpropInput, which is a Conv2D call
 * (kernels.ts). OODLAB_WINOGRAD=0 turns it off (to compare against the direct convolution).
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type ConvAttrs, convInfo } from './ops';
import { simdKernels } from './simd';
import type { HeapBackend } from './ops';
import { winogradConv3x3 } from './winograd';

/**
 * When Winograd pays on 2 cores (bench/winograd-micro.ts, batch 64). With the JS tile transforms (no SIMD
 * kernels) the transforms cost a fixed amount per activation value while the GEMM saving per value grows with
 * the channel count, so narrow layers (64 channels) lose; the filter transform and XNNPACK's weight packing cost
 * 36 ci co per call, so layers with fewer 4x4 tiles than half their channels (4x4 maps at 512 channels) lose too.
 * With the SIMD transforms (simd.ts) Winograd is 2-2.8x faster than the direct convolution from 64 channels
 * up at every stage (1.5x on 4x4 maps at 512), 1.1-1.4x at 32 channels, slower at 16.
 */
const JS = { minChannels: 128, minTilesPerChannel: 0.5, minMacs: 0 };
// Each call also costs 36 GEMM set-ups (XNNPACK packs the weights every time) and ~110 heap allocations, about a
// millisecond: layers whose direct convolution is under 1e8 multiply-adds (a few ms) stay direct.
const SIMD = { minChannels: 32, minTilesPerChannel: 1 / 16, minMacs: 1e8 };

export function winogradEnabled(): boolean {
  return process.env.OODLAB_WINOGRAD !== '0';
}

type Attrs = ConvAttrs & { dilations?: number | [number, number] };

/** True for an NHWC, stride-1, undilated 3x3 convolution padded by exactly 1 on every side. */
export function winogradApplies(x: TensorInfo, filter: { shape: number[] }, a: Attrs): boolean {
  if (!winogradEnabled() || a.dataFormat === 'NCHW' || x.dtype !== 'float32') return false;
  const [kh, kw, ci, co] = filter.shape;
  const limits = simdKernels() && ci % 4 === 0 && co % 4 === 0 ? SIMD : JS;
  if (kh !== 3 || kw !== 3 || ci < limits.minChannels || co < limits.minChannels) return false;
  const d = a.dilations ?? 1;
  if (!(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) return false;
  const tiles = x.shape[0] * Math.ceil(x.shape[1] / 4) * Math.ceil(x.shape[2] / 4);
  if (tiles < limits.minTilesPerChannel * Math.max(ci, co)) return false;
  if (x.shape[0] * x.shape[1] * x.shape[2] * ci * co * 9 < limits.minMacs) return false;
  const info = convInfo(x.shape, filter.shape, a);
  const p = info.padInfo;
  return (
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    p.top === 1 &&
    p.bottom === 1 &&
    p.left === 1 &&
    p.right === 1
  );
}

export function conv2D(stock: KernelFunc | null): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    if (winogradApplies(x, filter, args.attrs as unknown as Attrs))
      return winogradConv3x3(args.backend as unknown as HeapBackend, x, filter);
    if (!stock) throw new Error('stock wasm Conv2D kernel missing');
    return stock(args);
  };
}

export function fusedConv2D(stock: KernelFunc | null): KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const a = args.attrs as unknown as Attrs & { activation: string };
    const plain = !preluActivationWeights && (a.activation === 'linear' || a.activation === 'relu');
    if (x && filter && plain && (!bias || bias.shape.length === 1) && winogradApplies(x, filter, a)) {
      const b = args.backend as unknown as HeapBackend;
      return winogradConv3x3(b, x, filter, bias ?? null, a.activation === 'relu');
    }
    if (!stock) throw new Error('stock wasm FusedConv2D kernel missing');
    return stock(args);
  };
}
