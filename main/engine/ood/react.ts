// ReAct: Rectified Activations. Sun, Guo & Li, "ReAct: Out-of-distribution Detection With Rectified Activations",
// NeurIPS 2021 (OpenOOD `react_postprocessor.py`, ResNet18_32x32.forward_threshold).
//   c = np.percentile(all ID activations, p)            (every coordinate of every ID feature vector, pooled)
//   h~ = min(h, c)                                       (clip the penultimate features from above)
//   score(h) = logsumexp(W h~ + b)                       (the energy of the rectified logits)
// Difference from OpenOOD: OpenOOD takes the percentile over its ID *validation* images; here over the features the
// detector is fitted on (ID train, or the fitting part of it during the sweep), because the validation split is
// reserved for choosing p. The paper uses ID train activations too.
import { defineDetector, type Detector } from './detector';
import { energyOf, percentile, percentileParam } from './shaping';

export const reactSpec = {
  label: 'ReAct',
  paper: 'Sun et al., NeurIPS 2021',
  defaults: { reactP: 90 },
  grid: { reactP: [85, 90, 95, 99] },
};

export function createReact(p: { reactP?: number } = {}): Detector {
  const pct = percentileParam('ReAct', p.reactP ?? reactSpec.defaults.reactP);
  return defineDetector(
    'react',
    { reactP: pct },
    (t, W, b) => ({ c: percentile(t.features, pct), W, b }),
    (batch, f) => {
      const x = batch.features;
      const clipped = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) clipped[i] = x[i] > f.c ? f.c : x[i];
      return energyOf(clipped, batch.n, f.dim, f);
    },
  );
}
