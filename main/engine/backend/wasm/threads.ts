/**
 * Multi-threaded XNNPACK for the wasm backend in Node. tfjs ships the threaded SIMD build (Emscripten
 * pthreads, which support Node's worker_threads) but disables it in Node because its glue hands the pthread
 * workers Blob URLs, which Node's Worker cannot load (tensorflow/tfjs#3830). We give it a real worker file: the
 * package's own worker script, changed only to load the package's own threaded factory from disk, and answer
 * the glue's URL.createObjectURL(worker blob) with that file's path while the backend initialises.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../runs/atomic';

const nodeRequire = createRequire(import.meta.url);
const blobImport =
  'else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

/** Writes (once) the worker script for pthreads and returns its path. */
async function workerScript(): Promise<string> {
  const out = join(dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const factory = join(out, 'tfjs-backend-wasm-threaded-simd.js');
  // The file is a CommonJS module exporting the script as a string; tfjs escapes its newlines the same way.
  const { wasmWorkerContents } = nodeRequire(join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  const src = wasmWorkerContents.replace(/\n/g, '\\n');
  if (!src.includes(blobImport))
    throw new Error('unexpected tfjs wasm worker script (tfjs version changed?)');
  const patched = src.replace(blobImport, `else{importScripts(${JSON.stringify(factory)})}`);
  const hash = createHash('sha256').update(patched).digest('hex').slice(0, 16);
  const path = join(tmpdir(), `oodlab-tfjs-wasm-worker-${hash}.cjs`);
  if (!existsSync(path)) await writeFileAtomic(path, patched);
  return path;
}

/**
 * Prepares the threaded build with `threads` XNNPACK threads; call before tf.setBackend('wasm') and call the
 * returned function once it has settled (it restores URL.createObjectURL).
 */
export async function prepareWasmThreads(
  setThreadsCount: (n: number) => void,
  threads: number,
): Promise<() => void> {
  const path = await workerScript();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const original = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj: Blob) =>
    obj instanceof Blob && obj.type === 'application/javascript' ? path : original(obj);
  // tfjs caps its thread pool at (logical cores / 2), assuming two hyper-threads per core, which leaves a
  // 2-vCPU machine one thread. The glue asks os.cpus() once while the module starts; answer 2 x threads then.
  const cpus = os.cpus;
  os.cpus = () => {
    const list = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => list[i % list.length]);
  };
  return () => {
    URL.createObjectURL = original;
    os.cpus = cpus;
  };
}
