// ODIN: the batch computation (tf.grad to the input on the cpu backend) against the closed-form input gradient of a
// linear network in float64; the whole method on a tiny trained-format run (with eps = 0 it must equal the
// temperature-scaled MSP of the extracted logits); and its refusal, with the reason, on a features folder.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OodResults } from '../../../../common/contract/ood';
import { makeFeatures, writeFeatureDir } from '../../../helpers/features';
import { initBackend, tf } from '../../../../main/engine/backend';
import { mulberry32 } from '../../../../main/engine/data/rng';
import { loadFeatureDir } from '../../../../main/engine/features/store';
import { odinBatch } from '../../../../main/engine/ood/odin';
import { oodTask } from '../../../../main/engine/ood/task';
import { taskContext, tinyRun, useTempHome } from '../../../helpers/runs';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('odinBatch', () => {
  it("equals the float64 closed form on a linear network (gradient W'(softmax(z/T) - e_y) / (T n))", async () => {
    const rng = mulberry32(3);
    const n = 5, H = 2, Wd = 2, ch = 3, C = 4; // prettier-ignore
    const d = H * Wd * ch;
    const W = Array.from({ length: C }, () => Array.from({ length: d }, () => rng() * 2 - 1));
    const b = Array.from({ length: C }, () => rng() - 0.5);
    const x = Float32Array.from({ length: n * d }, () => rng() * 2 - 1);
    const std = [0.2, 0.25, 0.3];
    const T = 2, eps = 0.05; // prettier-ignore
    const Wt = tf.tensor2d(W.flat(), [C, d]);
    const bt = tf.tensor1d(b);
    const forward = (v: tf.Tensor4D) =>
      tf.add(tf.matMul(tf.reshape(v, [v.shape[0], d]) as tf.Tensor2D, Wt, false, true), bt) as tf.Tensor2D;
    const got = await odinBatch(forward, x, [n, H, Wd, ch], { T, eps, std });
    const logits = (v: number[]) => W.map((w, c) => w.reduce((s, wk, k) => s + wk * v[k], b[c]));
    const softmax = (z: number[]) => {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((a, v) => a + v, 0);
      return e.map((v) => v / s);
    };
    for (let i = 0; i < n; i++) {
      const xi = Array.from(x.subarray(i * d, (i + 1) * d));
      const z = logits(xi);
      const y = z.indexOf(Math.max(...z));
      const p = softmax(z.map((v) => v / T));
      const g = xi.map((_, k) => W.reduce((s, w, c) => s + w[k] * (p[c] - (c === y ? 1 : 0)), 0) / (T * n));
      const moved = xi.map((v, k) => v - (eps * (g[k] >= 0 ? 1 : -1)) / std[k % ch]);
      const ref = Math.max(...softmax(logits(moved).map((v) => v / T)));
      expect(Math.abs(got[i] - ref)).toBeLessThan(1e-5);
    }
    tf.dispose([Wt, bt]);
  });

  it('refuses a non-positive temperature', async () => {
    const f = (v: tf.Tensor4D) => tf.reshape(v, [1, 3]) as tf.Tensor2D;
    await expect(
      odinBatch(f, new Float32Array(3), [1, 1, 1, 3], { T: 0, eps: 0, std: [1, 1, 1] }),
    ).rejects.toThrow(/temperature/);
  });
});

describe('ODIN in the ood job', () => {
  const t = useTempHome(undefined, 'oodlab-odin-');
  const ctxOf = (home: string) => taskContext(home, 'j');

  it('scores a run through its network; with eps = 0 it is the MSP of logits / T', async () => {
    const { home } = t;
    const run = await tinyRun(home, 'tiny', { synthetic: { classes: 3, trainPerClass: 6, testPerClass: 3 } });
    const r = (await oodTask(
      { runId: run.id, backend: 'cpu', methods: ['msp', 'odin'], params: { odinT: 3, odinEps: 0 } },
      ctxOf(home),
    )) as OodResults;
    expect(r.methods.map((m) => m.method)).toEqual(['msp', 'odin']);
    const odin = r.methods[1];
    expect(odin.params).toEqual({ odinT: 3, odinEps: 0 });
    expect(odin.paramSource).toBe('user');
    // eps = 0: max softmax(logits / 3) of the extracted logits, checked through the AUROC on every set.
    const rf = await loadFeatureDir(join(home, 'runs', run.id, 'features'));
    const msp3 = (l: Float32Array, m: number) =>
      Array.from({ length: m }, (_, i) => {
        const z = Array.from(l.subarray(i * 3, i * 3 + 3), (v) => v / 3);
        const mx = Math.max(...z);
        return 1 / z.reduce((s, v) => s + Math.exp(v - mx), 0);
      });
    const id = msp3(rf.idTest.logits, rf.idTest.n);
    for (const [set, s] of Object.entries(rf.ood)) {
      const o = msp3(s.logits, s.n);
      let u = 0;
      for (const a of id) for (const c of o) u += a > c ? 1 : a === c ? 0.5 : 0;
      expect(odin.datasets[set].metrics.auroc).toBeCloseTo(u / (id.length * o.length), 6);
    }
    const withEps = (await oodTask(
      { runId: run.id, backend: 'cpu', methods: ['odin'], params: { odinEps: 0.01 }, merge: true },
      ctxOf(home),
    )) as OodResults;
    expect(withEps.methods.map((m) => m.method)).toEqual(['msp', 'odin']); // merged, ODIN replaced
    expect(withEps.methods[1].params).toEqual({ odinT: 1000, odinEps: 0.01 });
  });

  it('is unavailable, with the reason, for features brought from elsewhere', async () => {
    const dir = join(t.home, 'brought');
    await mkdir(dir);
    const rf = await makeFeatures({ seed: 2, classes: 3, dim: 8, nTrain: 60, nTest: 20, ood: { far: 20 } });
    await writeFeatureDir(dir, rf);
    const r = (await oodTask(
      { featuresDir: dir, backend: 'cpu', methods: ['msp', 'odin'] },
      ctxOf(dir),
    )) as OodResults;
    expect(r.methods.map((m) => m.method)).toEqual(['msp']);
    expect(r.notes.join(' ')).toMatch(/ODIN is unavailable for a features folder: it perturbs the input/);
  });
});
