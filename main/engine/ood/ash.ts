// ASH-B: Activation SHaping, binarised. Djurisic, Bozanic, Ashok & Liu, "Extremely Simple Activation Shaping for
// Out-of-Distribution Detection", ICLR 2023 (OpenOOD `ash_postprocessor.py`, networks/ash_net.py `ash_b`).
//   per feature vector h (D entries): k = D - round(D p / 100) (NumPy rounding, halves to even); s1 = sum_j h_j
//   h~_j = s1 / k for the k largest h_j, 0 elsewhere
//   score(h) = logsumexp(W h~ + b)
// WHAT IT SHAPES: the pooled penultimate features (D = 512 for ResNet-18), exactly as OpenOOD's ASHNet does for
// every backbone (it views the pooled vector as D x 1 x 1). The paper shapes the last feature map before pooling;
// that variant needs the 4 x 4 x 512 map, which OODLab's features do not keep, so it is not offered.
// Ties at the k-th value: the lower index is kept (torch.topk leaves this unspecified).
import { defineDetector, type Detector } from './detector';
import { energyOf, percentileParam, topIndices } from './shaping';
import { keptCount } from './scale';

export const ashSpec = {
  label: 'ASH-B',
  paper: 'Djurisic et al., ICLR 2023',
  defaults: { ashP: 90 },
  grid: { ashP: [65, 70, 75, 80, 85, 90, 95] },
};

export function createAsh(p: { ashP?: number } = {}): Detector {
  let pct = percentileParam('ASH', p.ashP ?? ashSpec.defaults.ashP, true);
  const params = { ashP: pct };
  return defineDetector(
    'ash',
    params,
    (t, W, b) => {
      // Few features (an imported model's 8-d penultimate layer, say): a percentile that would keep none is
      // lowered, a whole point at a time, to the largest that keeps one; params says which was used.
      while (pct > 0 && keptCount(t.dim, pct) < 1) pct = Math.max(0, pct - 1);
      params.ashP = pct;
      return { W, b };
    },
    (batch, f) => {
      const { dim } = f;
      const k = keptCount(dim, pct);
      const shaped = new Float64Array(batch.n * dim);
      const idx = new Int32Array(k);
      const scratch = new Float64Array(dim);
      for (let i = 0; i < batch.n; i++) {
        const o = i * dim;
        let s1 = 0;
        for (let j = 0; j < dim; j++) s1 += batch.features[o + j];
        topIndices(batch.features, o, dim, k, scratch, idx);
        const fill = s1 / k;
        for (let r = 0; r < k; r++) shaped[o + idx[r]] = fill;
      }
      return energyOf(shaped, batch.n, dim, f);
    },
  );
}
