// DICE: Directed Sparsification. Sun & Li, "DICE: Leveraging Sparsification for Out-of-Distribution Detection",
// ECCV 2022 (OpenOOD `dice_postprocessor.py`).
//   m = mean of ID train features;  V = m (.) W  (the C x D contributions, V_cj = m_j W_cj)
//   t = np.percentile(V, p) over all C*D entries;  M = [V > t]  (keeps the top (100 - p)% contributions)
//   score(h) = logsumexp((M (.) W) h + b)
// p: sparsity percentile, 90 as in OpenOOD, which does not sweep it (its grid is [90]); so here the sweep leaves it
// alone too, and the user can move it.
import { defineDetector, type Detector } from './detector';
import { energyOf, percentile, percentileParam } from './shaping';
import { trainStats } from './stats';

export const diceSpec = {
  label: 'DICE',
  paper: 'Sun & Li, ECCV 2022',
  defaults: { diceP: 90 },
  grid: {},
};

export function createDice(p: { diceP?: number } = {}): Detector {
  const pct = percentileParam('DICE', p.diceP ?? diceSpec.defaults.diceP);
  return defineDetector(
    'dice',
    { diceP: pct },
    (t, W, b) => {
      const m = trainStats(t).globalMean;
      // The contribution is computed in float32 as OpenOOD does (numpy float32 arrays), so the mask is the same.
      const V = Float32Array.from(W, (w, i) => Math.fround(m[i % t.dim]) * w);
      const thr = percentile(V, pct);
      return { W: Float64Array.from(W, (w, i) => (V[i] > thr ? w : 0)), b };
    },
    (batch, f) => energyOf(batch.features, batch.n, f.dim, f),
  );
}
