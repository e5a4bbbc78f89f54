/**
 * The Winograd tile transforms as WebAssembly SIMD (assembly/winograd.ts, embedded in simd-module.ts),
 * run on tfjs-wasm's own heap and split across threads: this thread takes the first part of every call and
 * helper worker threads (one per extra XNNPACK thread) the rest, synchronised through Atomics on a shared
 * control block. The helpers instantiate the same module on the same shared memory, so nothing is copied.
 * Needs the threaded tfjs-wasm build (its heap is a shared WebAssembly.Memory); otherwise unavailable and
 * winograd.ts keeps its JavaScript transforms. OODLAB_WASM_SIMD_KERNELS=0 turns it off.
 */
import { Worker } from 'node:worker_threads';
import { winogradKernelsBase64 } from './simd-module';

/** Per-thread scratch of the kernels (36 pointers + 36 vectors), see SCRATCH in assembly/winograd.ts. */
const SCRATCH = 36 * 4 + 36 * 16;
const TABLE = 2 * 36 * 4;
/** Control block (Int32Array): [0] sequence (-1 = stop), [1] function, [2] argc, [3..] args; DONE: last done. */
const DONE = 31;
const WAIT_MS = 60_000;
/** Below this many bytes of work a call is not split (see SimdKernels.split). */
const SPLIT_BYTES = 4 << 20;
let splitBytes = SPLIT_BYTES;

/** Tests split every call (0) to exercise the helper threads on small inputs; no argument restores the default. */
export function setSplitBytes(bytes = SPLIT_BYTES): void {
  splitBytes = bytes;
}

type Kernel = (...args: number[]) => void;
const FUNCTIONS = [
  'inputTransform',
  'outputTransform',
  'filterTransform',
  'gradOutputTransform',
  'filterGradTransform',
  'transposeTable',
  'columnSum',
  'filterGradDirect',
  'bnGradSums',
  'bnGradApply',
  'centredSquareSums',
  'bnApply',
  'addRelu',
  'reluMask',
] as const;
export type KernelName = (typeof FUNCTIONS)[number];

/** The parts of WebAssembly used here (the node lib of TypeScript does not declare the namespace's classes). */
export interface WasmMemory {
  buffer: ArrayBuffer | SharedArrayBuffer;
}
const WA = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
    };
  }
).WebAssembly;

interface EmscriptenHeap {
  wasmMemory?: WasmMemory;
  _malloc(bytes: number): number;
}

// The helper's whole program. It keeps its own require (a string, untouched by the bundler).
const helperSource = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, index } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = ${JSON.stringify(FUNCTIONS)}.map((n) => ex[n]);
const ctl = new Int32Array(control, index * 128, 32);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  const seq = Atomics.load(ctl, 0);
  if (seq < 0) break;
  seen = seq;
  const args = [];
  for (let i = 0; i < ctl[2]; i++) args.push(ctl[3 + i]);
  fns[ctl[1]](...args);
  Atomics.store(ctl, ${DONE}, seq);
  Atomics.notify(ctl, ${DONE});
}
`;

export interface SimdKernels {
  /** Threads a call is split across (this one included). */
  threads: number;
  /** Two 36-entry pointer tables in the heap (byte addresses), reused by every call on this thread. */
  table: number;
  table2: number;
  /** Scratch address of thread t. */
  scratch(t: number): number;
  /**
   * Runs kernel `name` over items 0..total, split into one contiguous range per thread (range starts are
   * multiples of `align`); `args(t)` gives thread t's arguments before its range. Calls that touch fewer than
   * SPLIT_BYTES (`bytes`: what the call reads and writes) run on this thread alone: handing work to a helper costs
   * a wake-up, which on a busy machine (other jobs, XNNPACK's spinning threads) can take a scheduler time slice.
   * Returns how many threads ran (thread t < that count ran its range, with args(t)).
   */
  split(name: KernelName, total: number, align: number, args: (t: number) => number[], bytes: number): number;
}

let loaded: SimdKernels | null | undefined;

export function simdKernelsEnabled(): boolean {
  return process.env.OODLAB_WASM_SIMD_KERNELS !== '0';
}

/** The kernels for this backend's heap, or null when they cannot run here (reason in `simdUnavailable`). */
export function simdKernels(): SimdKernels | null {
  return loaded ?? null;
}

export let simdUnavailable = 'not initialised';

/** Instantiates the kernels on `heap` with `threads` threads in all; call once, after the backend is up. */
export async function initSimdKernels(heap: EmscriptenHeap, threads: number): Promise<SimdKernels | null> {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const memory = heap.wasmMemory;
  if (!simdKernelsEnabled()) {
    simdUnavailable = 'turned off (OODLAB_WASM_SIMD_KERNELS=0)';
    return null;
  }
  if (!memory || !(memory.buffer instanceof SharedArrayBuffer)) {
    simdUnavailable = 'the single-threaded tfjs-wasm build has no shared heap';
    return null;
  }
  let module: object;
  let fns: Kernel[];
  try {
    module = new WA.Module(Buffer.from(winogradKernelsBase64, 'base64'));
    const ex = new WA.Instance(module, { env: { memory } }).exports as Record<string, Kernel>;
    fns = FUNCTIONS.map((n) => ex[n]);
  } catch (err) {
    simdUnavailable = `the SIMD module does not instantiate (${String(err)})`;
    return null;
  }
  const base = heap._malloc(TABLE + threads * SCRATCH + 16);
  const table = (base + 15) & ~15;
  const scratch = (t: number) => table + TABLE + t * SCRATCH;
  const helpers = threads - 1;
  const control = new SharedArrayBuffer(Math.max(1, helpers) * 128);
  const ctls = Array.from({ length: helpers }, (_, i) => new Int32Array(control, i * 128, 32));
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < helpers; i++) {
      const w = new Worker(helperSource, { eval: true, workerData: { module, memory, control, index: i } });
      await new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
      });
      w.unref();
      workers.push(w);
    }
  } catch (err) {
    for (const w of workers) void w.terminate();
    simdUnavailable = `its helper threads did not start (${String(err)})`;
    return null;
  }
  let seq = 0;
  const split: SimdKernels['split'] = (name, total, align, args, bytes) => {
    const f = FUNCTIONS.indexOf(name);
    if (helpers === 0 || bytes < splitBytes) {
      fns[f](...args(0), 0, total);
      return 1;
    }
    const per = Math.ceil(total / threads / align) * align;
    const range = (t: number): [number, number] => [Math.min(total, t * per), Math.min(total, (t + 1) * per)];
    seq = (seq + 1) & 0x3fffffff;
    for (let i = 0; i < helpers; i++) {
      const [a, b] = range(i + 1);
      const list = [...args(i + 1), a, b];
      const ctl = ctls[i];
      ctl[1] = f;
      ctl[2] = list.length;
      for (let k = 0; k < list.length; k++) ctl[3 + k] = list[k];
      Atomics.store(ctl, 0, seq);
      Atomics.notify(ctl, 0);
    }
    const [a, b] = range(0);
    fns[f](...args(0), a, b);
    for (const ctl of ctls) {
      for (;;) {
        const done = Atomics.load(ctl, DONE);
        if (done === seq) break;
        if (Atomics.wait(ctl, DONE, done, WAIT_MS) === 'timed-out')
          throw new Error(`wasm SIMD helper thread did not answer within ${WAIT_MS / 1000} s`);
      }
    }
    return threads;
  };

  loaded = { threads, table, table2: table + TABLE / 2, scratch, split };
  simdUnavailable = '';
  return loaded;
}
