// The validation split of the sweep (OpenOOD v1.5): which ID samples are held out and which OOD samples validate,
// never a test set. The ID validation split held out of training (issue 21's idVal) is used when present.
import { describe, expect, it } from 'vitest';
import { makeFeatures } from '../../../helpers/features';
import type { FeatureSet, RunFeatures } from '../../../../main/engine/features/store';
import type { Batch } from '../../../../main/engine/ood/detector';
import { createKnn } from '../../../../main/engine/ood/knn';
import { computeMetrics } from '../../../../main/engine/ood/metrics';
import { sweepMethod, sweepSplit } from '../../../../main/engine/ood/sweep';

const base = await makeFeatures({
  seed: 9,
  classes: 3,
  dim: 12,
  nTrain: 300,
  nTest: 60,
  ood: { a: 50, b: 2000 },
});
const labels = base.idTrain.labels!;

describe('sweepSplit', () => {
  it('without a validation set: 10% of ID train against the feature-space proxy', () => {
    const s = sweepSplit({ ...base, validationOod: null }, labels);
    expect([s.fitTrain.n, s.heldOut.n, s.proxy.n]).toEqual([270, 30, 30]);
    expect(s.description.validationOod).toBe('proxy');
    // the held-out rows are named (ODIN validates on their images): rows of ID train, the proxy has no images
    expect(s.rows.heldOut.from).toBe('id_train');
    const { index } = s.rows.heldOut;
    expect(Array.from(s.heldOut.features)).toEqual(
      Array.from(index).flatMap((i) => Array.from(base.idTrain.features.subarray(i * 12, i * 12 + 12))),
    );
    expect(s.rows.proxy).toEqual({ from: 'feature-space' });
    expect(sweepSplit({ ...base, validationOod: null, proxy: base.ood.a }, labels).rows.proxy).toEqual({
      from: 'proxy',
      n: 50,
    });
  });

  it('a validation OOD set: a seeded held-out part of it (all of it when small), named in the description', () => {
    const small = sweepSplit({ ...base, validationOod: { name: 'a', set: base.ood.a } }, labels);
    expect(small.proxy).toBe(base.ood.a);
    expect(small.description).toMatchObject({ validationOod: 'a' });
    const big = sweepSplit({ ...base, validationOod: { name: 'b', set: base.ood.b } }, labels, 3);
    expect(big.proxy.n).toBe(1000); // max(held-out ID, 1000) of its 2000 rows
    expect(big.description.proxy).toBe('1000 of the 2000 samples of the OOD set b (not a test set)');
    // The rows are rows of b, in their original order.
    const row = (s: { features: Float32Array }, i: number) =>
      Array.from(s.features.subarray(i * 12, i * 12 + 12));
    const all = Array.from({ length: 2000 }, (_, i) => row(base.ood.b, i).join());
    const picked = Array.from({ length: 1000 }, (_, i) => all.indexOf(row(big.proxy, i).join()));
    expect(picked.every((k, i) => k >= 0 && (i === 0 || k > picked[i - 1]))).toBe(true);
    expect(big.rows.proxy).toEqual({ from: 'ood', name: 'b', index: Uint32Array.from(picked) });
    expect(small.rows.proxy).toEqual({
      from: 'ood',
      name: 'a',
      index: Uint32Array.from({ length: 50 }, (_, i) => i),
    });
  });

  it('uses the ID validation split held out of training when the folder has one, fitting on all of ID train', async () => {
    const idVal: FeatureSet = base.idTest;
    const rf = { ...base, validationOod: { name: 'a', set: base.ood.a }, idVal } as RunFeatures;
    const s = sweepSplit(rf, labels);
    expect(s.heldOut).toBe(idVal);
    expect(s.rows.heldOut).toEqual({ from: 'id_val', index: Uint32Array.from({ length: 60 }, (_, i) => i) });
    expect(s.fitTrain.n).toBe(300);
    expect(s.description.heldOut).toMatch(/60 ID validation samples held out of training/);
    const out = await sweepMethod('knn', {}, s, rf);
    expect(out?.points.map((p) => p.params.knnK)).toEqual([50, 100, 200, 300]); // 500 and 1000 clamp to 300, kept once
    // KNN keeps each split's nearest neighbours between grid points: every point equals a detector fitted afresh.
    for (const pt of out!.points) {
      const det = createKnn(pt.params);
      await det.fit({ ...s.fitTrain, labels: s.fitTrain.labels! }, rf.W, rf.b);
      const copy = (x: Batch) => ({ ...x, features: Float32Array.from(x.features) });
      expect(computeMetrics(await det.score(copy(s.heldOut)), await det.score(copy(s.proxy))).auroc).toBe(
        pt.auroc,
      );
    }
  });
});
