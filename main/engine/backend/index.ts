/**
 * Picks and initialises the tfjs backend for THIS thread (each job's worker calls initBackend once).
 * Everyone imports `tf` from here so that every module shares one tfjs-core instance, and optional packages
 * (tfjs-node, tfjs-node-gpu, webgpu) are only loaded when asked for, so their absence is a clean fallback.
 * Auto order (DESIGN.md "Compute backends"): tensorflow-gpu (sees a GPU) > webgpu (hardware adapter) > tensorflow > wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendReport } from '../../../common/contract/runs';
import type { BackendChoice, BackendName } from '../../../common/contract/system';
import { registerGradients } from './gradients';
import { loadTfjsNode } from './node';
import { loadWasm } from './wasm';
import { loadWebgpu } from './webgpu';
import { coreVersions } from './versions';

export { tf };

registerGradients();
// Production mode: no debug-only checks, and no console banners from the backends.
tf.env().set('PROD', true);

export interface InitOptions {
  /** webgpu: accept a software adapter (llvmpipe) when asked for explicitly; tests use it. Default true. */
  allowSoftwareWebgpu?: boolean;
}

/** Thrown when a named backend cannot load; the message says why and how to fix it. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    reason: string,
  ) {
    super(`The ${backend} backend is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

let current: BackendReport | null = null;

/** The backend initialised last in this thread, or null before initBackend. */
export function currentBackend(): BackendReport | null {
  return current;
}

async function loadCpu(): Promise<BackendReport> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs cpu backend failed to initialise');
  return {
    name: 'cpu',
    device: 'JavaScript CPU (reference)',
    software: true,
    versions: coreVersions(['tfjs-backend-cpu']),
  };
}

async function load(name: BackendName, o: InitOptions): Promise<BackendReport> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
        return await loadTfjsNode(true);
      case 'tensorflow':
        return await loadTfjsNode(false);
      case 'webgpu':
        return await loadWebgpu(o.allowSoftwareWebgpu ?? true);
      case 'wasm':
        return await loadWasm();
      case 'cpu':
        return await loadCpu();
    }
  } catch (err) {
    if (err instanceof BackendUnavailableError) throw err;
    throw new BackendUnavailableError(name, err instanceof Error ? err.message : String(err));
  }
}

const autoOrder: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'];

/**
 * Sets tf's backend in this thread and reports what was chosen. An explicit choice that cannot load throws
 * BackendUnavailableError; 'auto' takes the first of autoOrder that loads (webgpu only on a hardware adapter).
 */
export async function initBackend(choice: BackendChoice, o: InitOptions = {}): Promise<BackendReport> {
  if (choice !== 'auto') {
    current = await load(choice, o);
    return current;
  }
  const reasons: string[] = [];
  for (const name of autoOrder) {
    try {
      current = await load(name, { allowSoftwareWebgpu: false });
      return current;
    } catch (err) {
      reasons.push(err instanceof Error ? err.message : String(err));
    }
  }
  throw new Error(`No compute backend could load:\n${reasons.join('\n')}`);
}
