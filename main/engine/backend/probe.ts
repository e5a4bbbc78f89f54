/**
 * Which compute backends can load here, for system.info: cheap and safe to call in the main process.
 * Package presence for tfjs-node(-gpu) (loading libtensorflow just to look would be heavy; whether it sees a
 * GPU is checked when a job starts), wasm's binaries on disk, and a real WebGPU adapter request made in a
 * short-lived child process (adapter-probe.ts), so that a misbehaving driver cannot take the app's main process
 * down and Dawn's native stderr (Vulkan loader warnings) does not reach the user.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BackendInfo } from '../../../common/contract/system';
import { probeAdapter } from './adapter-probe';
import { coreVersions, resolvable } from './versions';
import { wasmThreads } from './wasm';
import { summarizeAdapterInfo } from './webgpu';

const nodeRequire = createRequire(import.meta.url);

async function probeWebgpu(timeoutMs: number): Promise<BackendInfo> {
  if (!resolvable('webgpu'))
    return {
      name: 'webgpu',
      available: false,
      reason: 'the `webgpu` package (Dawn for Node) is not installed.',
    };
  const reply = await probeAdapter(timeoutMs);
  const versions = coreVersions(['tfjs-backend-webgpu'], ['webgpu']);
  if (!reply.info) {
    return {
      name: 'webgpu',
      available: false,
      versions,
      reason: `${reply.reason ?? 'no adapter'}. Install a Vulkan driver (Linux: the GPU vendor's, or Mesa mesa-vulkan-drivers >= 25 for a software adapter), Metal (macOS) or D3D12 (Windows).`,
    };
  }
  const s = summarizeAdapterInfo(reply.info);
  return { name: 'webgpu', available: true, device: s.device, software: s.software, versions };
}

function probeNode(gpu: boolean): BackendInfo {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const name = gpu ? 'tensorflow-gpu' : 'tensorflow';
  if (resolvable(pkg))
    return {
      name,
      available: true,
      device: gpu ? 'NVIDIA GPU via libtensorflow (checked when a job starts)' : 'CPU via libtensorflow',
      versions: coreVersions([pkg.slice(12)]),
    };
  return {
    name,
    available: false,
    reason: gpu
      ? `${pkg} is not installed (needs an NVIDIA driver, CUDA 11.2 + cuDNN 8.1, and network access at install to download libtensorflow).`
      : `${pkg} is not installed (its install downloads libtensorflow, which needs network access).`,
  };
}

function probeWasm(): BackendInfo {
  if (!resolvable('@tensorflow/tfjs-backend-wasm'))
    return {
      name: 'wasm',
      available: false,
      reason: '@tensorflow/tfjs-backend-wasm is not installed; reinstall OODLab.',
    };
  const dist = join(dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  if (!existsSync(join(dist, 'tfjs-backend-wasm-simd.wasm')))
    return {
      name: 'wasm',
      available: false,
      reason: `the wasm binaries are missing from ${dist}; reinstall OODLab.`,
    };
  const threads = wasmThreads();
  return {
    name: 'wasm',
    available: true,
    device: `CPU (WebAssembly SIMD, XNNPACK, ${threads} thread${threads === 1 ? '' : 's'})`,
    versions: coreVersions(['tfjs-backend-wasm']),
  };
}

export async function probeBackends(): Promise<BackendInfo[]> {
  return [
    probeNode(true),
    await probeWebgpu(10_000),
    probeNode(false),
    probeWasm(),
    {
      name: 'cpu',
      available: true,
      software: true,
      device: 'JavaScript (reference, too slow to train)',
      versions: coreVersions(['tfjs-backend-cpu']),
    },
  ];
}
