/**
 * ResNet-18 inference speed on wasm with the Winograd convolutions off and on, interleaved (off, on, off, on,
 * ...) in one process: on a shared machine, load drifts between two separate benchmark runs by more than the
 * difference being measured. The switch (OODLAB_WINOGRAD) is read at every convolution, so it can flip here.
 *   npx tsx bench/winograd-ab.ts [--width 64] [--batch 128] [--rounds 6]
 */
import { parseArgs } from 'node:util';
import { initBackend, tf } from '../main/engine/backend';
import { ResNet18 } from '../main/engine/model/resnet';

const { values } = parseArgs({
  options: {
    width: { type: 'string', default: '64' },
    batch: { type: 'string', default: '128' },
    rounds: { type: 'string', default: '6' },
  },
});
const batch = Number(values.batch);
await initBackend('wasm');
const model = new ResNet18({ width: Number(values.width), numClasses: 100, seed: 1 });
const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;

async function imagesPerSecond(): Promise<number> {
  const t0 = performance.now();
  const out = model.forward(x, false);
  await out.logits.data();
  tf.dispose([out.logits, out.features, ...out.stages]);
  return batch / ((performance.now() - t0) / 1000);
}

const rates: Record<'off' | 'on', number[]> = { off: [], on: [] };
for (let r = 0; r <= Number(values.rounds); r++) {
  const pair = [];
  for (const mode of ['off', 'on'] as const) {
    process.env.OODLAB_WINOGRAD = mode === 'on' ? '1' : '0';
    const rate = await imagesPerSecond();
    if (r > 0) rates[mode].push(rate); // round 0 warms up both paths
    pair.push(`${mode} ${rate.toFixed(2)}`);
  }
  console.log(
    `round ${r}${r ? '' : ' (warm-up)'}: ${pair.join(', ')} img/s (tensors ${tf.memory().numTensors})`,
  );
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(`median inference img/s: off ${median(rates.off).toFixed(2)}, on ${median(rates.on).toFixed(2)}`);
process.exit(0);
