// ReAct: Rectified Activations. Sun, Guo & Li, "ReAct: Out-of-distribution Detection With Rectified Activations",
// NeurIPS 2021 (OpenOOD `react_postprocessor.py`, ResNet18_32x32.forward_threshold).
//   c = np.percentile(all ID activations, p)            (every coordinate of every ID feature vector, pooled)
//   h~ = min(h, c)                                       (clip the penultimate features from above)
//   score(h) = logsumexp(W h~ + b)                       (the energy of the rectified logits)
// Difference from OpenOOD: OpenOOD takes the percentile over its ID *validation* images; here over the features the
// detector is fitted on (ID train, or the fitting part of it during the sweep), because the validation split is
// reserved for choosing p. The paper uses ID train activations too.
import { checkBatch, notFitted, type Batch, type Detector, type IdTrain } from './detector';
import { energyOf, percentile } from './shaping';

export const reactSpec = {
  label: 'ReAct',
  paper: 'Sun et al., NeurIPS 2021',
  defaults: { reactP: 90 },
  grid: { reactP: [85, 90, 95, 99] },
};

export function createReact(p: { reactP?: number } = {}): Detector {
  const pct = p.reactP ?? reactSpec.defaults.reactP;
  if (!(pct >= 0 && pct <= 100))
    throw new RangeError(`ReAct: the percentile must be in 0..100 (got ${pct}).`);
  let f: { dim: number; C: number; c: number; W: Float32Array; b: Float32Array } | null = null;
  return {
    method: 'react',
    params: { reactP: pct },
    async fit(t: IdTrain, W: Float32Array, b: Float32Array) {
      const c = percentile(t.features, pct);
      f = { dim: t.dim, C: t.classes, c, W, b };
    },
    async score(batch: Batch) {
      if (!f) throw notFitted('react');
      const { dim, C, c, W, b } = f;
      checkBatch('react', dim, C, batch);
      const clipped = batch.features.map((v) => (v > c ? c : v));
      return energyOf(clipped, batch.n, dim, W, b, C);
    },
  };
}
