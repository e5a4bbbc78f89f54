/**
 * Training and inference speed of the ResNet on the current backend, measured on random data: images per
 * second of a full training step (forward, backward, SGD-momentum update) and of an inference forward pass.
 * The benchmark (bench/train-throughput.ts) runs it per backend/width/batch; estimates of epochs per hour
 * for presets can be derived from trainImagesPerSecond (50,000 CIFAR-100 training images per epoch).
 */
import { tf } from '../backend';
import { ResNet18 } from '../model/resnet';
import { makeEngine, type TrainEngine, type TrainEngineName } from './engine';
import { Sgd } from './sgd';

export interface ThroughputOptions {
  width: number;
  batch: number;
  /** Timed steps (after `warmup` untimed ones). */
  steps: number;
  warmup?: number;
  numClasses?: number;
  microBatch?: number;
  /** What runs the training step (engine.ts): tfjs on the current backend (default) or ONNX Runtime. */
  engine?: TrainEngineName;
  /** Also time inference through tfjs (default true). */
  inference?: boolean;
}

export interface Throughput {
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
  /** Seconds per timed training step / inference batch (wall clock). */
  trainStepSeconds: number;
  inferBatchSeconds: number;
  /** CPU seconds of this process (all its threads) per step / batch: stable on a shared machine. */
  trainStepCpuSeconds: number;
  inferBatchCpuSeconds: number;
}

/** A micro-batch that keeps one training chunk's activations well inside wasm's 4 GiB heap. */
export function defaultMicroBatch(backend: string, width: number, batch: number): number | undefined {
  if (backend !== 'wasm') return undefined;
  const budget = 64 * (64 / width) ** 2; // images per chunk: 64 at width 64, more for narrower nets
  return batch > budget ? Math.max(1, Math.floor(budget)) : undefined;
}

/** Mean wall and CPU seconds (this process, all threads) of one call of fn over n calls. */
export async function timeIt(n: number, fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000 / n, cpu: (c.user + c.system) / 1e6 / n };
}

/**
 * Times training steps (and, unless o.inference is false, inference batches) of a seed-1 network on one random batch,
 * given as the host arrays an epoch gives the engine (engine.ts).
 */
export async function measureThroughput(o: ThroughputOptions): Promise<Throughput> {
  const classes = o.numClasses ?? 100;
  const warmup = o.warmup ?? 1;
  const model = new ResNet18({ width: o.width, numClasses: classes, seed: 1 });
  const opt = new Sgd({ lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const x = tf.randomNormal([o.batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const batch = {
    x: (await x.data()) as Float32Array,
    y: Int32Array.from({ length: o.batch }, (_, i) => i % classes),
  };
  let engine: TrainEngine | null = null;
  try {
    engine = await makeEngine(o.engine ?? 'tfjs', model, opt);
    const e = engine;
    const step = async () => {
      await e.step(batch, { labelSmoothing: 0.1, microBatch: o.microBatch });
    };
    const infer = async () => {
      const out = model.forward(x, false);
      await out.logits.data();
      tf.dispose([out.logits, out.features, ...out.stages]);
    };
    for (let i = 0; i < warmup; i++) await step();
    const train = await timeIt(o.steps, step);
    const timeInference = o.inference ?? true;
    if (timeInference) for (let i = 0; i < warmup; i++) await infer();
    const inference = timeInference ? await timeIt(o.steps, infer) : { wall: NaN, cpu: NaN };
    return {
      trainImagesPerSecond: o.batch / train.wall,
      inferImagesPerSecond: o.batch / inference.wall,
      trainStepSeconds: train.wall,
      inferBatchSeconds: inference.wall,
      trainStepCpuSeconds: train.cpu,
      inferBatchCpuSeconds: inference.cpu,
    };
  } finally {
    engine?.dispose();
    x.dispose();
    opt.dispose();
    model.dispose();
  }
}
