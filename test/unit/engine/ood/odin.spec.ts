// ODIN: the batch computation (tf.grad to the input on the cpu backend) against the closed-form input gradient of a
// linear network in float64; the whole method on a tiny trained-format run (with eps = 0 it must equal the
// temperature-scaled MSP of the extracted logits); its sweep on the validation images against odinBatch at every
// grid point and a float64 AUROC (and its fallback, with the reason, when the validation OOD side has no images);
// and its refusal, with the reason, on a features folder.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OodResults } from '../../../../common/contract/ood';
import { makeFeatures, writeFeatureDir } from '../../../helpers/features';
import { initBackend, tf } from '../../../../main/engine/backend';
import { mulberry32 } from '../../../../main/engine/data/rng';
import { loadFeatureDir } from '../../../../main/engine/features/store';
import { odinBatch } from '../../../../main/engine/ood/odin';
import { computeMetrics } from '../../../../main/engine/ood/metrics';
import { readOodResults } from '../../../../main/engine/ood/results';
import { CIFAR100_STD, makeBatch } from '../../../../main/engine/data/augment';
import { loadImageSet, type ImageSet } from '../../../../main/engine/data/load';
import { subsetImages } from '../../../../main/engine/data/subset';
import { readNpy } from '../../../../main/engine/features/npy';
import { patchShuffled } from '../../../../main/engine/features/proxy';
import { loadCheckpoint } from '../../../../main/engine/model/checkpoint';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { readRunConfig, runFiles } from '../../../../main/engine/runs/store';
import { trainValSplit } from '../../../../main/engine/train/order';
import { oodTask } from '../../../../main/engine/ood/task';
import { taskContext, tinyRun, useTempHome } from '../../../helpers/runs';

beforeAll(async () => {
  await initBackend('cpu');
});

/** AUROC in float64 by counting pairs (ID above OOD = 1, a tie = 1/2). */
function aurocRef(id: ArrayLike<number>, ood: ArrayLike<number>): number {
  let u = 0;
  for (const a of Array.from(id)) for (const c of Array.from(ood)) u += a > c ? 1 : a === c ? 0.5 : 0;
  return u / (id.length * ood.length);
}

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
      expect(odin.datasets[set].metrics.auroc).toBeCloseTo(aurocRef(id, o), 6);
    }
    const withEps = (await oodTask(
      {
        runId: run.id,
        backend: 'cpu',
        methods: ['odin'],
        params: { odinEps: 0.01 },
        merge: true,
        noSweep: true,
      },
      ctxOf(home),
    )) as OodResults;
    expect(withEps.methods.map((m) => m.method)).toEqual(['msp', 'odin']); // merged, ODIN replaced
    expect(withEps.methods[1].params).toEqual({ odinT: 1000, odinEps: 0.01 });
  });

  it('sweeps its grid on the validation images, picks the best AUROC, and scores the test sets there', async () => {
    const { home } = t;
    const run = await tinyRun(home, 'swept', {
      synthetic: { classes: 3, trainPerClass: 20, testPerClass: 5 },
    });
    const scoresDir = join(home, 'scores');
    const r = (await oodTask(
      { runId: run.id, backend: 'cpu', methods: ['odin'], scoresDir },
      ctxOf(home),
    )) as OodResults;
    const odin = r.methods[0];
    expect(odin.paramSource).toBe('sweep');
    // The validation split of the feature methods: the ID images held out of training, the patch-shuffled proxy.
    expect(r.selection.validationOod).toBe('proxy');
    expect(r.selection.heldOut).toMatch(/^6 ID validation samples held out of training/);
    expect(r.selection.proxy).toMatch(/^15 patch-shuffled ID test images/);
    expect(await readOodResults(home, run.id)).toMatchObject({
      methods: [{ method: 'odin', sweep: odin.sweep }],
    });

    // The same images and network, built here from the pieces: odinBatch at each point, AUROC by counting pairs.
    const config = await readRunConfig(home, run.id);
    const synthetic = { seed: config.seed, ...config.synthetic! };
    const train = await loadImageSet(home, 'synthetic', 'train', synthetic);
    const test = await loadImageSet(home, 'synthetic', 'test', synthetic);
    const valId = subsetImages(train, trainValSplit(config, train.n).val);
    const valOod = patchShuffled(test, 2000, config.seed);
    expect([valId.n, valOod.n]).toEqual([6, 15]);
    const model = new ResNet18({ width: 2, numClasses: 3 });
    await loadCheckpoint(runFiles(home, run.id).checkpoint('best'), model);
    const forward = (x: tf.Tensor4D) => model.forward(x, false).logits;
    const odinOf = (set: ImageSet, T: number, eps: number) => {
      const { x } = makeBatch(
        set,
        Uint32Array.from({ length: set.n }, (_, i) => i),
        { augment: false },
      );
      return odinBatch(forward, x, [set.n, 32, 32, 3], { T, eps, std: CIFAR100_STD });
    };
    const ref = [];
    for (const T of [1, 10, 100, 1000])
      for (const eps of [0.0014, 0.0028]) {
        const id = await odinOf(valId, T, eps);
        const ood = await odinOf(valOod, T, eps);
        ref.push({
          params: { odinT: T, odinEps: eps },
          auroc: aurocRef(id, ood),
          fpr95: computeMetrics(id, ood).fpr95,
        });
      }
    // every grid point evaluated, in grid order, with the AUROC computed here
    expect(odin.sweep!.map((p) => p.params)).toEqual(ref.map((p) => p.params));
    for (const [i, p] of odin.sweep!.entries()) {
      expect(p.auroc).toBeCloseTo(ref[i].auroc, 12);
      expect(p.fpr95).toBe(ref[i].fpr95);
    }
    expect(new Set(ref.map((p) => p.auroc)).size).toBeGreaterThan(1); // the choice is not a formality
    // the best: highest AUROC, then lowest FPR@95, then the first in grid order
    const best = ref.reduce((b, p) =>
      p.auroc > b.auroc || (p.auroc === b.auroc && p.fpr95 < b.fpr95) ? p : b,
    );
    expect(odin.params).toEqual(best.params);

    // The test sets are scored at the chosen point only: their scores are odinBatch's there.
    const { odinT: T, odinEps: eps } = best.params;
    const idTest = await readNpy(join(scoresDir, 'odin_id_test.npy'));
    expect(Array.from(idTest.data as Float64Array)).toEqual(Array.from(await odinOf(test, T, eps)));
    const ood = await loadImageSet(home, 'synthetic-ood', 'test', synthetic);
    const oodScores = await readNpy(join(scoresDir, 'odin_ood_synthetic-ood.npy'));
    expect(Array.from(oodScores.data as Float64Array)).toEqual(Array.from(await odinOf(ood, T, eps)));
    model.dispose();
  });

  it('is not swept, and says why, when the validation OOD side has no images', async () => {
    const { home } = t;
    const run = await tinyRun(home, 'noproxy', {
      synthetic: { classes: 3, trainPerClass: 6, testPerClass: 3 },
    });
    const job = { runId: run.id, backend: 'cpu' as const, methods: ['odin' as const], params: { odinT: 3 } };
    await oodTask({ ...job, noSweep: true }, ctxOf(home)); // extracts the features
    await rm(join(home, 'runs', run.id, 'features', 'proxy_features.npy'));
    const r = (await oodTask(job, ctxOf(home))) as OodResults;
    expect(r.methods[0]).toMatchObject({ paramSource: 'user', params: { odinT: 3, odinEps: 0.0014 } });
    expect(r.methods[0].sweep).toBeUndefined();
    expect(r.notes.join(' ')).toMatch(/ODIN was not swept: its validation OOD side must be images/);
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
