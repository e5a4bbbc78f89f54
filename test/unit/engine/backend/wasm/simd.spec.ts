// The SIMD kernels: the embedded module is what its AssemblyScript source compiles to (and writes nothing into
// the heap it is given), the threaded wasm backend loads them with one helper thread per extra XNNPACK thread,
// split calls cover every tile exactly once, the Winograd filter gradient matches the direct one on odd sizes,
// and leading-axes sums match the cpu backend.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { initBackend, tf } from '../../../../../main/engine/backend';
import { setSplitBytes, simdKernels, simdUnavailable } from '../../../../../main/engine/backend/wasm/simd';
import type { HeapBackend } from '../../../../../main/engine/backend/wasm/ops';
import { winogradConv3x3, winogradFilterGrad } from '../../../../../main/engine/backend/wasm/winograd';

describe('wasm SIMD kernels', () => {
  // Split every call between the threads, however small (the default keeps small calls on one thread).
  beforeAll(() => setSplitBytes(0));
  afterAll(() => setSplitBytes());

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
    const be = tf.backend() as unknown as HeapBackend;
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

  it('computes the filter gradient in the Winograd domain as the direct kernels do, partial tiles included', async () => {
    await initBackend('wasm');
    const pad1 = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    const saved = process.env.OODLAB_WINOGRAD;
    try {
      for (const [n, h, w, ci, co] of [
        [2, 8, 8, 32, 32],
        [1, 7, 9, 32, 36],
        [2, 13, 6, 36, 32],
      ]) {
        const x = tf.randomNormal([n, h, w, ci], 0, 1, 'float32', 5);
        const dy = tf.randomNormal([n, h, w, co], 0, 1, 'float32', 6);
        process.env.OODLAB_WINOGRAD = '0';
        const direct = tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy },
            { strides: 1, pad: pad1, dataFormat: 'NHWC', filterShape: [3, 3, ci, co] },
          ) as tf.Tensor;
        // Called directly: layers this small stay on the direct kernels inside tf (wasm/conv.ts minMacs).
        const be = tf.backend() as unknown as HeapBackend;
        const wino = tf.engine().makeTensorFromTensorInfo(winogradFilterGrad(be, simdKernels()!, x, dy));
        const a = await wino.data();
        const b = await direct.data();
        let err = 0;
        let max = 0;
        for (let i = 0; i < b.length; i++) {
          err = Math.max(err, Math.abs(a[i] - b[i]));
          max = Math.max(max, Math.abs(b[i]));
        }
        expect(err / max, `${n}x${h}x${w}x${ci}->${co}`).toBeLessThan(2e-5);
        tf.dispose([x, dy, direct, wino]);
      }
    } finally {
      if (saved === undefined) delete process.env.OODLAB_WINOGRAD;
      else process.env.OODLAB_WINOGRAD = saved;
    }
  });

  it('sums over leading axes like the cpu backend (SIMD column sums, and the stock kernel otherwise)', async () => {
    const sums = async () => {
      const x = tf.randomNormal([300, 7, 5, 12], 0.5, 1, 'float32', 3);
      const y = tf.randomNormal([9, 6], 0, 1, 'float32', 4); // 6 columns: not a multiple of 4
      const out = [tf.sum(x, [0, 1, 2]), tf.sum(x, 0), tf.sum(x, [1, 0], true), tf.sum(x, -1), tf.sum(y, 0)];
      const data = await Promise.all(out.map((t) => t.data()));
      tf.dispose([x, y, ...out]);
      return data;
    };
    await initBackend('cpu');
    const ref = await sums();
    await initBackend('wasm');
    const got = await sums();
    ref.forEach((r, i) => {
      expect(got[i].length).toBe(r.length);
      for (let j = 0; j < r.length; j++) expect(got[i][j]).toBeCloseTo(r[j], 2);
    });
  });
});
