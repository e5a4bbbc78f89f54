/**
 * Feature-extraction throughput of the ResNet-18 through ONNX Runtime (what `evaluate` / `analyze` use on the CPU),
 * beside PyTorch's CPU inference measured in the same run (`bench/torch_resnet18.py`, or
 * $OODLAB_TORCH_BENCH, with OMP_NUM_THREADS = the core count) and, with --tfjs, tfjs' wasm backend. The ORT figure
 * is the whole extraction path: uint8 images -> normalised NCHW -> session (logits, features, layer1..4) -> pooled
 * copies. Prints images/s and the ratios; nothing asserts a time. Peak RSS of the process is printed at the end.
 *   npx tsx bench/onnx-extract.ts [--widths 16,64] [--batch 128] [--steps 4] [--tfjs]
 * With --cifar-sized W, it instead extracts a whole CIFAR-sized run (a synthetic set of 50,000 train and 10,000
 * test images, the synthetic OOD set and the proxy) at width W through extractRunFeatures, and prints the time and
 * the peak RSS: extraction streams batches, so memory stays at the size of the arrays it writes.
 */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../main/engine/data/rng';
import { exportedPlan, exportResNetOnnx, type ResNetWeights } from '../main/engine/model/onnx/export';
import { openExtractor } from '../main/engine/model/onnx/runner';
import { tensorSpecs } from '../main/engine/model/spec';

const { values } = parseArgs({
  options: {
    widths: { type: 'string', default: '16,64' },
    batch: { type: 'string', default: '128' },
    steps: { type: 'string', default: '4' },
    tfjs: { type: 'boolean', default: false },
    'cifar-sized': { type: 'string' },
  },
});
const widths = values.widths.split(',').map(Number);
const batch = Number(values.batch);
const steps = Number(values.steps);
const threads = availableParallelism();
const torchScript =
  process.env.OODLAB_TORCH_BENCH ?? fileURLToPath(new URL('./torch_resnet18.py', import.meta.url));

function randomWeights(width: number, classes: number): ResNetWeights {
  const rng = mulberry32(width);
  const w: ResNetWeights = new Map();
  for (const s of tensorSpecs(width, classes)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const fan = s.role === 'conv' ? s.shape[0] * s.shape[1] * s.shape[2] : s.shape[s.shape.length - 1];
    const data = Float32Array.from({ length: n }, () =>
      s.role === 'runningVar' || s.role === 'gamma'
        ? 1
        : s.role === 'conv' || s.role === 'fcWeight'
          ? (rng() - 0.5) * Math.sqrt(12 / fan)
          : 0,
    );
    w.set(s.name, { shape: s.shape, data });
  }
  return w;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function ortImagesPerSecond(width: number): Promise<{ ips: number; provider: string }> {
  const bytes = exportResNetOnnx(randomWeights(width, 100), { width, numClasses: 100 });
  const ex = await openExtractor(bytes, exportedPlan, { batchSize: batch });
  const rng = mulberry32(7);
  const images = Uint8Array.from({ length: batch * 32 * 32 * 3 }, () => Math.floor(rng() * 256));
  await ex.run(images, 0, batch); // warm-up
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await ex.run(images, 0, batch);
    times.push((performance.now() - t0) / 1000);
  }
  await ex.release();
  return { ips: batch / median(times), provider: `${ex.ort.provider}, ${ex.ort.threads} threads` };
}

function torchImagesPerSecond(width: number): number | null {
  if (!existsSync(torchScript)) return null;
  try {
    const out = execFileSync('python3', [torchScript, String(width), String(batch), String(steps)], {
      env: { ...process.env, OMP_NUM_THREADS: String(threads) },
      encoding: 'utf8',
    });
    return (JSON.parse(out.trim().split('\n').pop()!) as { inferImgPerSec: number }).inferImgPerSec;
  } catch (err) {
    process.stderr.write(`PyTorch reference failed: ${(err as Error).message.split('\n')[0]}\n`);
    return null;
  }
}

async function tfjsImagesPerSecond(width: number): Promise<number> {
  const { initBackend, tf } = await import('../main/engine/backend');
  const { ResNet18 } = await import('../main/engine/model/resnet');
  await initBackend('wasm');
  const model = new ResNet18({ width, numClasses: 100, seed: 1 });
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1) as Tensor4D;
  const infer = async () => {
    const out = model.forward(x, false);
    await out.logits.data();
    await Promise.all(out.stages.map((t) => t.data()));
    tf.dispose([out.logits, out.features, ...out.stages]);
  };
  await infer();
  const times: number[] = [];
  for (let i = 0; i < Math.min(steps, 2); i++) {
    const t0 = performance.now();
    await infer();
    times.push((performance.now() - t0) / 1000);
  }
  x.dispose();
  model.dispose();
  return batch / median(times);
}

if (values['cifar-sized']) {
  const width = Number(values['cifar-sized']);
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createRun, runFiles } = await import('../main/engine/runs/store');
  const { writeCheckpointTensors } = await import('../main/engine/model/checkpoint-plain');
  const { extractRunFeatures } = await import('../main/engine/features/extract');
  const home = await mkdtemp(join(tmpdir(), 'oodlab-bench-'));
  try {
    const run = await createRun(home, 'bench', {
      dataset: 'synthetic',
      synthetic: { classes: 100, trainPerClass: 500, testPerClass: 100 },
      valFraction: 0,
      width,
      epochs: 1,
      batchSize: 128,
      lr: 0.1,
      schedule: 'cosine',
      minLr: 0,
      milestones: [],
      gamma: 0.1,
      warmupEpochs: 0,
      momentum: 0.9,
      nesterov: false,
      weightDecay: 5e-4,
      labelSmoothing: 0,
      augment: false,
      seed: 0,
      checkpointEvery: 1,
      backend: 'wasm',
    });
    await writeCheckpointTensors(
      runFiles(home, run.id).checkpoint('best'),
      randomWeights(width, 100),
      { width, numClasses: 100 },
      { epoch: 1 },
    );
    process.env.OODLAB_EXTRACT_ENGINE = 'onnxruntime';
    const t0 = performance.now();
    let images = 0;
    await extractRunFeatures(home, run.id, {
      checkpoint: 'best',
      batchSize: batch,
      progress: (f, m) => (images = Number(/(\d+)\/(\d+)/.exec(m)?.[2] ?? images)),
    });
    const s = (performance.now() - t0) / 1000;
    console.log(
      `CIFAR-sized extraction at width ${width}: ${images} images in ${s.toFixed(0)} s (${(images / s).toFixed(1)} img/s), ` +
        `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  process.exit(0);
}

console.log(`Feature extraction, ResNet-18, batch ${batch}, ${threads} cores (median of ${steps} batches)`);
console.log(
  'width | ONNX Runtime img/s | PyTorch CPU img/s | ORT / PyTorch' +
    (values.tfjs ? ' | tfjs wasm img/s | ORT / tfjs' : ''),
);
for (const width of widths) {
  // ORT is measured before and after PyTorch and the lower figure kept: on a shared machine the load drifts, and
  // the ratio should not flatter ORT
  const before = await ortImagesPerSecond(width);
  const torch = torchImagesPerSecond(width);
  const after = await ortImagesPerSecond(width);
  const ort = before.ips <= after.ips ? before : after;
  const tfjs = values.tfjs ? await tfjsImagesPerSecond(width) : null;
  const ratio = (a: number, b: number | null) => (b ? `${(a / b).toFixed(2)}x` : 'n/a');
  console.log(
    `${String(width).padStart(5)} | ${ort.ips.toFixed(1).padStart(18)} | ${(torch?.toFixed(1) ?? 'n/a').padStart(17)} | ${ratio(ort.ips, torch).padStart(13)}` +
      (values.tfjs ? ` | ${tfjs!.toFixed(1).padStart(15)} | ${ratio(ort.ips, tfjs)}` : '') +
      `   (ORT: ${ort.provider})`,
  );
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
process.exit(0); // tfjs' wasm worker threads would keep the process alive
