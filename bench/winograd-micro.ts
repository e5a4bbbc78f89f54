/**
 * Does Winograd F(4x4, 3x3) pay on tfjs-wasm, per ResNet-18 stage (width 64)? Times the direct XNNPACK 3x3
 * convolution against the whole Winograd convolution (main/engine/backend/wasm/winograd.ts) and against its
 * GEMM stage alone (36 2-D matMuls with fresh weights, as each call has), plus once tfjs' batched BatchMatMul,
 * which is a naive loop on wasm (why the GEMMs are 36 separate calls). Best of 4, wall clock; figures are
 * effective GFLOP/s (the direct convolution's FLOPs over the time), so they compare directly.
 *   npx tsx bench/winograd-micro.ts [--batch 64]
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { initBackend, tf } from '../main/engine/backend';
import type { HeapBackend } from '../main/engine/backend/wasm/ops';
import { winogradConv3x3 } from '../main/engine/backend/wasm/winograd';

const { values } = parseArgs({ options: { batch: { type: 'string', default: '64' } } });
const n = Number(values.batch);
await initBackend('wasm');
process.env.OODLAB_WINOGRAD = '0'; // tf.conv2d below is the direct convolution
const backend = tf.backend() as unknown as HeapBackend;

async function time(label: string, gflop: number, fn: () => tf.Tensor): Promise<void> {
  let best = Infinity;
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const t = fn();
    await t.data();
    t.dispose();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  const ms = (best * 1000).toFixed(1).padStart(7);
  console.log(`${label.padEnd(40)} ${ms} ms ${(gflop / best).toFixed(1).padStart(6)} GFLOP/s`);
}

for (const [hw, c] of (process.env.SHAPES
  ? JSON.parse(process.env.SHAPES)
  : [
      [32, 64],
      [16, 128],
      [8, 256],
      [4, 512],
    ]) as [number, number][]) {
  const x = tf.randomNormal([n, hw, hw, c]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, c, c], 0, 0.05) as tf.Tensor4D;
  const gflop = (2 * n * hw * hw * c * c * 9) / 1e9;
  const tiles = n * (hw / 4) ** 2;
  console.log(`-- ${hw}x${hw}x${c}, batch ${n} (${tiles} tiles)`);
  await time('direct conv (XNNPACK)', gflop, () => tf.conv2d(x, w, 1, 'same'));
  await time('Winograd F(4,3), whole', gflop, () =>
    tf.engine().makeTensorFromTensorInfo(winogradConv3x3(backend, x, w) as TensorInfo),
  );
  const v = Array.from({ length: 36 }, () => tf.randomNormal([tiles, c]) as tf.Tensor2D);
  const u = Array.from({ length: 36 }, () => tf.randomNormal([c, c]) as tf.Tensor2D);
  await time('Winograd GEMMs only (36 x matMul)', gflop, () => {
    // wasm kernels run synchronously: only the last product needs to be awaited
    for (let k = 0; k < 35; k++) tf.tidy(() => tf.matMul(v[k], tf.add(u[k], 0))).dispose();
    return tf.tidy(() => tf.matMul(v[35], tf.add(u[35], 0)));
  });
  if (hw === 32) {
    const [vb, ub] = [tf.stack(v), tf.stack(u)];
    await time('  same, one batched matMul (naive)', gflop, () => tf.matMul(vb, ub));
    tf.dispose([vb, ub]);
  }
  tf.dispose([x, w, ...v, ...u]);
}
process.exit(0);
