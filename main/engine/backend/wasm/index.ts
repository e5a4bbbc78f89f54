/**
 * The tfjs wasm backend (XNNPACK) with the training kernels it lacks. Its .wasm binaries are located from the
 * installed package (also from the bundled out/main/*.js, which is why the path is resolved, not relative).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { BackendReport } from '../../../../common/contract/runs';
import { coreVersions } from '../versions';
import { registerWasmTrainingKernels } from './kernels';
import { initSimdKernels } from './simd';
import { prepareWasmThreads } from './threads';

const nodeRequire = createRequire(import.meta.url);
let pathsSet = false;
let initialised = false;

/** XNNPACK threads: OODLAB_WASM_THREADS if set (1 = single-threaded build), else one per core, at most 8. */
export function wasmThreads(): number {
  const env = Number(process.env.OODLAB_WASM_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 8);
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export async function loadWasm(): Promise<BackendReport> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dist = join(dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  if (!pathsSet) {
    wasm.setWasmPaths(dist + '/');
    pathsSet = true;
  }
  registerWasmTrainingKernels();
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const listeners = (e: (typeof events)[number]): unknown[] => process.listeners(e as 'uncaughtException');
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  const threads = wasmThreads();
  const restore =
    threads > 1 && !initialised ? await prepareWasmThreads(wasm.setThreadsCount, threads) : null;
  let ok: boolean;
  try {
    ok = await tf.setBackend('wasm');
  } finally {
    restore?.();
  }
  initialised = true;
  // Emscripten's Node glue installs process-wide handlers that rethrow (printing its whole minified source);
  // Node's defaults do the same job, and the host's own handlers must stay in charge.
  for (const event of events) {
    for (const l of listeners(event))
      if (!before.get(event)?.has(l)) process.removeListener(event as 'uncaughtException', l as () => void);
  }
  if (!ok) throw new Error(`the wasm backend did not initialise (binaries looked for in ${dist}).`);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const used = wasm.getThreadsCount();
  const heap = (tf.backend() as unknown as { wasm: Parameters<typeof initSimdKernels>[0] }).wasm;
  const kernels = simd ? await initSimdKernels(heap, used) : null;
  return {
    name: 'wasm',
    device: `CPU (WebAssembly${simd ? ' SIMD' : ''}, XNNPACK, ${used} thread${used === 1 ? '' : 's'}${kernels ? ', SIMD Winograd' : ''})`,
    software: false,
    versions: coreVersions(['tfjs-backend-wasm']),
  };
}
