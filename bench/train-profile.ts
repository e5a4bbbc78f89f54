// Where one training step's time goes, per kernel: tf.profile() around a full step (forward, backward, SGD update)
// of the ResNet at a given width and batch, after warm-up steps; kernel times summed by kernel name, the largest
// single calls with their shapes, and the time spent outside any kernel (JavaScript: autograd bookkeeping,
// tensor creation and disposal, and the per-op dispatch that dominates at small widths).
// Each call's time is the least over --repeat profiled steps (3), the step's the least too.
// --engine onnxruntime profiles the ONNX Runtime training engine instead (main/engine/train/ort-graph.ts) with ONNX
// Runtime's own profiler: time by part of the step (forward, batch norm and ReLU backward, filter gradients, input
// gradients, loss) and by operator, from the last of --repeat profiled runs.
//   npx tsx bench/train-profile.ts [--backend wasm] [--engine tfjs|onnxruntime] [--width 8] [--batch 128]
//                                  [--warmup 2] [--top 25] [--repeat 3]
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendName } from '../common/contract/system';
import { initBackend, tf } from '../main/engine/backend';
import { ResNet18 } from '../main/engine/model/resnet';
import { Sgd } from '../main/engine/train/sgd';
import { nchwcBlockSize, toGraphLayout, trainSessionOptions } from '../main/engine/train/ort-engine';
import { graphShape, trainStepGraph } from '../main/engine/train/ort-graph';
import { trainStep } from '../main/engine/train/step';
import { isTrainable } from '../main/engine/model/spec';
import { benchOptions } from './args';

/** The ONNX Runtime engine's step graph under ONNX Runtime's profiler, summed by part of the step and by operator. */
async function profileOrt(width: number, batch: number, warmup: number, repeat: number, top: number) {
  const ort = await import('onnxruntime-node');
  const prefix = join(tmpdir(), `oodlab-ort-profile-${process.pid}`);
  const nchwcBlock = await nchwcBlockSize(ort);
  console.log(`NCHWc block size: ${nchwcBlock || 'none (plain NCHW graph)'}`);
  const graph = trainStepGraph({ width, numClasses: 100 }, batch, { nchwcBlock });
  const session = await ort.InferenceSession.create(graph, {
    ...trainSessionOptions(),
    enableProfiling: true,
    profileFilePrefix: prefix,
  });
  let seed = 1;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
    x: new ort.Tensor('float32', Float32Array.from({ length: batch * 3072 }, rand), [batch, 3, 32, 32]),
    target: new ort.Tensor('float32', new Float32Array(batch * 100).map((_, i) => (i % 101 === 0 ? 1 : 0)), [batch, 100]), // prettier-ignore
    scale: new ort.Tensor('float32', Float32Array.of(1 / batch), []),
  };
  const model = new ResNet18({ width, numClasses: 100, seed: 1 });
  for (const t of model.namedTensors())
    if (isTrainable(t.spec.role)) {
      const v = (await t.variable.data()) as Float32Array;
      feeds[t.name] = new ort.Tensor('float32', toGraphLayout(t.spec.shape, v), graphShape(t.spec));
    }
  model.dispose();
  const times: number[] = [];
  for (let i = 0; i < warmup + repeat; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    if (i >= warmup) times.push(performance.now() - t0);
  }
  session.endProfiling(); // writes <prefix>_<timestamp>.json
  await session.release();
  const base = `oodlab-ort-profile-${process.pid}`;
  const name = (await readdir(tmpdir())).find((f) => f.startsWith(base) && f.endsWith('.json'));
  if (!name) throw new Error(`ONNX Runtime wrote no profile beside ${prefix}`);
  const file = join(tmpdir(), name);
  type Event = { cat?: string; name: string; ts: number; dur: number; args?: { op_name?: string } };
  const events = JSON.parse(await readFile(file, 'utf8')) as Event[];
  await rm(file, { force: true });
  const runs = events.filter((e) => e.name === 'model_run');
  const last = runs[runs.length - 1];
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= last.ts);
  const sum = (key: (e: Event) => string) => {
    const m = new Map<string, { ms: number; calls: number }>();
    for (const e of nodes) {
      const k = key(e);
      const a = m.get(k) ?? { ms: 0, calls: 0 };
      a.ms += e.dur / 1000;
      a.calls++;
      m.set(k, a);
    }
    return [...m].sort((a, b) => b[1].ms - a[1].ms);
  };
  const total = nodes.reduce((a, e) => a + e.dur / 1000, 0);
  const step = last.dur / 1000;
  const pct = (ms: number) => `${((100 * ms) / step).toFixed(1).padStart(5)}%`;
  console.log(
    `ONNX Runtime ${ort.env.versions.common}, ${trainSessionOptions().intraOpNumThreads} threads; width ${width}, batch ${batch}: ` +
      `steps ${times.map((t) => t.toFixed(0)).join(', ')} ms; the profiled one ${step.toFixed(0)} ms, ` +
      `${total.toFixed(0)} ms inside operators (${pct(total)})`,
  );
  console.log('\nby part of the step:');
  for (const [k, a] of sum((e) =>
    e.name.includes('/') ? e.name.split('/')[0] : 'layout changes ONNX Runtime added',
  ))
    console.log(
      `  ${k.padEnd(32)} ${String(a.calls).padStart(5)} ${a.ms.toFixed(1).padStart(8)} ms ${pct(a.ms)}`,
    );
  console.log(`\nby part and operator (top ${top}):`);
  for (const [k, a] of sum(
    (e) => `${e.name.includes('/') ? e.name.split('/')[0] : 'added'}: ${e.args?.op_name}`,
  ).slice(0, top))
    console.log(
      `  ${k.padEnd(48)} ${String(a.calls).padStart(5)} ${a.ms.toFixed(1).padStart(8)} ms ${pct(a.ms)}`,
    );
  console.log(`\nby operator (top ${top}):`);
  for (const [k, a] of sum((e) => e.args?.op_name ?? '?').slice(0, top))
    console.log(
      `  ${k.padEnd(32)} ${String(a.calls).padStart(5)} ${a.ms.toFixed(1).padStart(8)} ms ${pct(a.ms)}`,
    );
}

interface Agg {
  name: string;
  calls: number;
  ms: number;
}

async function main(): Promise<void> {
  const values = benchOptions({
    backend: 'wasm',
    engine: 'tfjs',
    width: 8,
    batch: 128,
    warmup: 2,
    top: 25,
    repeat: 3,
  });
  const { width, batch, top } = values;
  if (values.engine === 'onnxruntime') {
    await initBackend('cpu');
    await profileOrt(width, batch, values.warmup, values.repeat, top);
    process.exit(0);
  }
  const report = await initBackend(values.backend as BackendName);
  console.log(`backend ${report.name}: ${report.device}; width ${width}, batch ${batch}`);
  const model = new ResNet18({ width, numClasses: 100, seed: 1 });
  const opt = new Sgd({ lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 100),
    'int32',
  );
  const step = () => trainStep(model, opt, x, y, { labelSmoothing: 0.1 });
  for (let i = 0; i < values.warmup; i++) await step();

  const t0 = performance.now();
  await step();
  const plain = performance.now() - t0;
  // A step runs the same kernels in the same order every time: each call's time is its minimum over --repeat
  // profiled steps, which drops the time slices lost to other processes on a shared machine.
  let info: Awaited<ReturnType<typeof tf.profile>> | null = null;
  let profiled = Infinity;
  for (let r = 0; r < values.repeat; r++) {
    const t1 = performance.now();
    const p = await tf.profile(async () => {
      await step();
      return tf.scalar(0);
    });
    profiled = Math.min(profiled, performance.now() - t1);
    if (info && info.kernels.length === p.kernels.length)
      p.kernels.forEach((k, i) => {
        const prev = info!.kernels[i];
        if (prev.name === k.name && (k.kernelTimeMs as number) < (prev.kernelTimeMs as number))
          prev.kernelTimeMs = k.kernelTimeMs;
      });
    else info = p;
  }
  if (!info) throw new Error('--repeat must be at least 1');

  const by = new Map<string, Agg>();
  const kernels = info.kernels.filter((k) => !(k.name === 'unnamed scope' || k.name.endsWith('__op')));
  let kernelMs = 0;
  // Custom-gradient ops are recorded as a wrapper ('unnamed scope', 'name__op') AND as the kernels they run:
  // wrappers are listed but not added to the total.
  const wrapper = (name: string) => name === 'unnamed scope' || name.endsWith('__op');
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    if (!wrapper(k.name)) kernelMs += ms;
    const key = wrapper(k.name) ? `(${k.name}: wrapper)` : k.name;
    const a = by.get(key) ?? { name: key, calls: 0, ms: 0 };
    a.calls++;
    a.ms += ms;
    by.set(key, a);
  }
  const pct = (ms: number) => `${((100 * ms) / profiled).toFixed(1).padStart(5)}%`;
  console.log(
    `one step: ${plain.toFixed(0)} ms unprofiled, ${profiled.toFixed(0)} ms profiled (least of ${values.repeat}); ${kernels.length} kernel calls, ` +
      `${kernelMs.toFixed(0)} ms inside kernels (${pct(kernelMs)}), ${(profiled - kernelMs).toFixed(0)} ms outside (${pct(profiled - kernelMs)}: JavaScript between kernels)`,
  );
  console.log(`\nby kernel (top ${top}):\n  kernel                          calls      ms   share  ms/call`);
  for (const a of [...by.values()].sort((p, q) => q.ms - p.ms).slice(0, top))
    console.log(
      `  ${a.name.padEnd(30)} ${String(a.calls).padStart(6)} ${a.ms.toFixed(1).padStart(7)}  ${pct(a.ms)} ${(a.ms / a.calls).toFixed(3).padStart(8)}`,
    );
  console.log(`\nlargest single calls:`);
  for (const k of [...kernels]
    .sort((p, q) => (q.kernelTimeMs as number) - (p.kernelTimeMs as number))
    .slice(0, 12))
    console.log(
      `  ${k.name.padEnd(28)} ${(k.kernelTimeMs as number).toFixed(2).padStart(8)} ms  in ${JSON.stringify(k.inputShapes)} out ${JSON.stringify(k.outputShapes)}`,
    );
  const small = kernels.filter((k) => (k.kernelTimeMs as number) < 0.05).length;
  console.log(
    `\n${small} of ${kernels.length} calls take under 0.05 ms each: their cost is dispatch, not arithmetic`,
  );
  process.exit(0);
}

await main();
