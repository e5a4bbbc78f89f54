import { Worker } from 'node:worker_threads';

/**
 * Where the worker script is. Built entry points (out/main/index.js, cli.js) point it at out/main/worker.js;
 * when running from sources (tests, tsx) the TypeScript entry is loaded through tsx.
 */
let entry: URL | undefined;

export function setWorkerEntry(url: URL | undefined): void {
  entry = url;
}

export function spawnWorker(workerData: unknown): Worker {
  if (entry) return new Worker(entry, { workerData });
  return new Worker(new URL('./dev-worker.mjs', import.meta.url), { workerData });
}
