// On class-clustered features with OOD off the ID class subspace, the feature-space detectors must rank OOD below
// ID (the seed study's ViM AUROC of 0.225 was a sign or centring bug).
import { describe, expect, it } from 'vitest';
import { makeFeatures } from '../../../helpers/features';
import { computeMetrics } from '../../../../main/engine/ood/metrics';
import { createDetector } from '../../../../main/engine/ood/registry';

describe('feature-space detectors on synthetic features', () => {
  const made = makeFeatures({
    seed: 3,
    classes: 10,
    dim: 64,
    nTrain: 2000,
    nTest: 500,
    ood: { far: 500 },
    noiseRank: 8,
  });
  for (const name of ['vim', 'mahalanobis', 'neco'] as const) {
    it(`${name} AUROC > 0.9`, async () => {
      const rf = await made;
      const train = { ...rf.idTrain, labels: rf.idTrain.labels! };
      const det = createDetector(name, { D: 32, k: 16 });
      await det.fit(train, rf.W, rf.b);
      const m = computeMetrics(await det.score(rf.idTest), await det.score(rf.ood.far));
      expect(m.auroc).toBeGreaterThan(0.9);
    });
  }
});
