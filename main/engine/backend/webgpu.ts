/**
 * WebGPU in Node through Dawn (the `webgpu` package): its globals (GPUBufferUsage, ...) and navigator.gpu must
 * exist before tfjs' WebGPU backend runs. We request the adapter ourselves so that a software adapter
 * (Mesa llvmpipe, SwiftShader) is recognised and never picked by auto, and register tfjs' WebGPUBackend on the
 * device we chose. Works inside worker threads. Reads must stay async: readSync needs OffscreenCanvas here.
 * Dawn is loaded in this process only after a probe in a child process (adapter-probe.ts) found an adapter that may
 * be used: without Vulkan, Dawn's native warnings would otherwise go straight to the user's terminal.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendReport } from '../../../common/contract/runs';
import { probeAdapter, type AdapterInfoLike } from './adapter-probe';
import { coreVersions, resolvable } from './versions';

export interface AdapterSummary {
  device: string;
  software: boolean;
}

let gpu: GPU | null = null;

/** Creates Dawn's GPU object once per thread and exposes it as navigator.gpu with the WebGPU globals. */
async function dawnGpu(): Promise<GPU> {
  if (gpu) return gpu;
  if (!resolvable('webgpu'))
    throw new Error('the `webgpu` package (Dawn for Node) is not installed; reinstall OODLab.');
  const mod = (await import('webgpu')) as { create: (o: string[]) => GPU; globals: object };
  Object.assign(globalThis, mod.globals);
  const created = mod.create([]);
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: created },
      configurable: true,
      writable: true,
    });
  } else if (!g.navigator.gpu) {
    Object.defineProperty(g.navigator, 'gpu', { value: created, configurable: true, writable: true });
  }
  gpu = created;
  return created;
}

const softwareNames = /llvmpipe|lavapipe|swiftshader|software|warp|microsoft basic render/i;

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  return summarizeAdapterInfo((adapter as unknown as { info?: AdapterInfoLike }).info ?? {});
}

/** A readable adapter name and whether it is a software rasteriser (never auto-picked). */
export function summarizeAdapterInfo(info: AdapterInfoLike): AdapterSummary {
  const text = [info.description, info.device, info.vendor, info.architecture].filter(Boolean).join(' ');
  const software =
    info.isFallbackAdapter === true || info.architecture === 'software' || softwareNames.test(text);
  const name = info.description || [info.vendor, info.device].filter(Boolean).join(' ') || 'unknown adapter';
  return { device: `${name}${software ? ' (software)' : ''}`, software };
}

/** The adapter Dawn offers (high-performance preference), or a clear error when there is none. */
export async function requestAdapter(): Promise<GPUAdapter> {
  const adapter = await (await dawnGpu()).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new Error(`Dawn found no WebGPU adapter. ${noAdapterHelp}`);
  }
  return adapter;
}

const noAdapterHelp =
  'Install a Vulkan driver (Linux: the GPU vendor driver, or Mesa `mesa-vulkan-drivers` >= 25 for the llvmpipe ' +
  'software adapter; check with `vulkaninfo --summary`), or set VK_ICD_FILENAMES to its ICD json.';

/** Whether this thread may load Dawn: a child process found an adapter that fits (see the header). */
async function checkProbe(allowSoftware: boolean): Promise<void> {
  if (gpu) return; // Dawn already loaded in this thread
  const p = await probeAdapter();
  if (!p.info) throw new Error(`${p.reason ?? 'Dawn found no WebGPU adapter'}. ${noAdapterHelp}`);
  const s = summarizeAdapterInfo(p.info);
  if (s.software && !allowSoftware)
    throw new Error(
      `only a software adapter is available (${s.device}); auto never picks it, choose webgpu explicitly.`,
    );
}

export async function loadWebgpu(allowSoftware: boolean): Promise<BackendReport> {
  await checkProbe(allowSoftware);
  // Import the tfjs backend before navigator.gpu exists, so that it does not register its own factory (which
  // would pick an adapter itself); we register one on the adapter we checked.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const adapter = await requestAdapter();
  const summary = summarizeAdapter(adapter);
  if (summary.software && !allowSoftware) {
    throw new Error(
      `only a software adapter is available (${summary.device}); auto never picks it, choose webgpu explicitly.`,
    );
  }
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  const info = (adapter as unknown as { info?: object }).info;
  // Small tensors would otherwise be computed on the CPU after a synchronous read, which Node cannot do here.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if ('webgpu' in (tf.engine().registryFactory as object)) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    () => new WebGPUBackend(device, info as ConstructorParameters<typeof WebGPUBackend>[1]),
  );
  if (!(await tf.setBackend('webgpu')))
    throw new Error('the tfjs WebGPU backend did not initialise on this adapter.');
  return {
    name: 'webgpu',
    device: summary.device,
    software: summary.software,
    versions: coreVersions(['tfjs-backend-webgpu'], ['webgpu']),
  };
}
