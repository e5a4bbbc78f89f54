// How long the presets take here: measures the engine's training and evaluation throughput (images/s) at each
// preset's width, batch and micro-batch on the chosen backend, with the training engine a run would use there
// (main/engine/train/engine.ts: ONNX Runtime on the CPU backends where it loads; OODLAB_TRAIN_ENGINE=tfjs for the
// other), then turns it into seconds per epoch, epochs per hour and the time of the whole preset. The `quick` preset
// was sized from this figure (see its description).
//   npx tsx bench/epochs-per-hour.ts [--backend wasm] [--presets quick,paper] [--steps 4] [--width N] [--batch-size N]
// (--width / --batch-size override every listed preset: what would a wider quick run cost?)
import { parseArgs } from 'node:util';
import type { BackendChoice } from '../common/contract/system';
import type { PresetName } from '../common/contract/train';
import { presetConfig } from '../common/train/presets';
import { initBackend, tf } from '../main/engine/backend';
import { ResNet18 } from '../main/engine/model/resnet';
import { createEngine } from '../main/engine/train/engine';
import { stepsPerEpoch, suggestedMicroBatch, trainValSplit } from '../main/engine/train/order';
import { Sgd } from '../main/engine/train/sgd';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    presets: { type: 'string', default: 'smoke,quick,paper' },
    steps: { type: 'string', default: '4' },
    width: { type: 'string' },
    'batch-size': { type: 'string' },
  },
});
const CIFAR = { train: 50_000, test: 10_000, classes: 100 };

/**
 * Images per second of wall time, and per second of this process's CPU time: on a machine shared with other work
 * the second is the better estimate of what one free core gives (wasm runs on one thread).
 */
async function imagesPerSecond(run: () => Promise<unknown>, images: number, steps: number) {
  await run(); // warm-up: kernel compilation, first allocations
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) await run();
  const cpu = process.cpuUsage(cpu0);
  return {
    wall: (images * steps) / ((performance.now() - t0) / 1000),
    cpu: (images * steps) / ((cpu.user + cpu.system) / 1e6),
  };
}

const backend = await initBackend(values.backend as BackendChoice);
console.log(`backend ${backend.name} (${backend.device}); ${values.steps} timed steps after one warm-up`);
for (const name of values.presets.split(',') as PresetName[]) {
  const c = presetConfig(name, {
    width: values.width && Number(values.width),
    batchSize: values['batch-size'] && Number(values['batch-size']),
  });
  const synthetic = c.dataset === 'synthetic' && c.synthetic;
  const n = synthetic ? synthetic.classes * synthetic.trainPerClass : CIFAR.train;
  const nTest = Math.min(
    c.testSamples ?? Infinity,
    synthetic ? synthetic.classes * synthetic.testPerClass : CIFAR.test,
  );
  const classes = synthetic ? synthetic.classes : CIFAR.classes;
  // the validation split held out of training is evaluated every epoch, beside the test images
  const nVal = trainValSplit(c, n).val.length;
  const model = new ResNet18({ width: c.width, numClasses: classes, seed: 0 });
  const opt = new Sgd({ lr: 0.01, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay });
  const x = tf.randomNormal([c.batchSize, 32, 32, 3]) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: c.batchSize }, (_, i) => i % classes),
    'int32',
  );
  const steps = Number(values.steps);
  const engine = await createEngine(model, opt, (m) => console.log(m));
  // A wide net's whole batch does not fit wasm's 4 GiB heap: measure it as a user would have to run it there.
  const microBatch =
    c.microBatch ?? (engine.name === 'tfjs' ? suggestedMicroBatch(c, backend.name) : undefined);
  if (microBatch !== c.microBatch)
    console.log(`${name}: measured with microBatch ${microBatch} (needed on wasm)`);
  console.log(`${name}: training steps through ${engine.description}`);
  const batch = { x: (await x.data()) as Float32Array, y: (await y.data()) as Int32Array };
  const train = await imagesPerSecond(
    () => engine.step(batch, { labelSmoothing: c.labelSmoothing, microBatch }),
    c.batchSize,
    steps,
  );
  engine.sync();
  const evalIps = await imagesPerSecond(() => engine.evaluate(batch), c.batchSize, steps);
  engine.dispose();
  for (const clock of ['wall', 'cpu'] as const) {
    const epochSeconds =
      (stepsPerEpoch(c, n - nVal) * c.batchSize) / train[clock] + (nTest + nVal) / evalIps[clock];
    const total = c.epochs * epochSeconds;
    const whole =
      total < 7200
        ? `${(total / 60).toFixed(1)} min`
        : `${(total / 3600).toFixed(1)} h (${(total / 86400).toFixed(1)} days)`;
    console.log(
      `${name.padEnd(6)} width ${String(c.width).padStart(2)} batch ${c.batchSize} (${clock.padEnd(4)} clock): ` +
        `train ${train[clock].toFixed(1)} img/s, eval ${evalIps[clock].toFixed(1)} img/s -> ${epochSeconds.toFixed(0)} s/epoch, ` +
        `${(3600 / epochSeconds).toFixed(2)} epochs/h, ${c.epochs} epochs in ${whole}`,
    );
  }
  x.dispose();
  y.dispose();
  opt.dispose();
  model.dispose();
}
// The threaded wasm build's pthread workers keep the event loop alive after the last step.
process.exit(0);
