// The SIMD Winograd kernels: the embedded module is what its AssemblyScript source compiles to (and writes
// nothing into the heap it is given), the threaded wasm backend loads them with one helper thread per extra
// XNNPACK thread, and a split call covers every tile exactly once whatever the thread count.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { initBackend, tf } from '../../../../main/engine/backend';
import { simdKernels, simdUnavailable } from '../../../../main/engine/backend/wasm-simd';
import { type WasmHeapBackend, winogradConv3x3 } from '../../../../main/engine/backend/wasm-winograd';

describe('wasm SIMD kernels', () => {
  it('the embedded module matches its source and has no data or start section', () => {
    const out = execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/matches/);
  }, 60_000);

  it('load on the threaded wasm backend and are named in the device description', async () => {
    const report = await initBackend('wasm');
    expect(simdUnavailable).toBe('');
    const k = simdKernels();
    expect(k).not.toBeNull();
    expect(k!.threads).toBeGreaterThanOrEqual(1);
    expect(report.device).toContain('SIMD Winograd');
  });

  it('split calls match the direct convolution for tile counts that do not divide evenly', async () => {
    await initBackend('wasm');
    const be = tf.backend() as unknown as WasmHeapBackend;
    const wrap = (t: TensorInfo) => tf.engine().makeTensorFromTensorInfo(t);
    for (const [n, h, w] of [
      [1, 4, 4],
      [1, 8, 12],
      [3, 13, 5],
      [5, 16, 16],
    ]) {
      const x = tf.randomNormal([n, h, w, 8], 0, 1, 'float32', n) as tf.Tensor4D;
      const f = tf.randomNormal([3, 3, 8, 12], 0, 0.2, 'float32', h) as tf.Tensor4D;
      const simd = wrap(winogradConv3x3(be, x, f));
      // 8 channels: below Winograd's threshold, so tf.conv2d is XNNPACK's direct convolution
      const direct = tf.conv2d(x, f, 1, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      const a = await simd.data();
      const b = await direct.data();
      let err = 0;
      for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
      expect(err, `${n}x${h}x${w}`).toBeLessThan(1e-4);
      tf.dispose([x, f, simd, direct]);
    }
  });
});
