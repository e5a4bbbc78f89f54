// SCALE: activation scaling. Xu, Lian, Ren, Tang, Yang & Yin, "Scaling for Training Time and Post-hoc
// Out-of-distribution Detection Enhancement", ICLR 2024 (OpenOOD `scale_postprocessor.py`, networks/scale_net.py).
//   per feature vector h (D entries): k = D - round(D p / 100) (NumPy rounding, halves to even)
//   s1 = sum_j h_j;  s2 = sum of the k largest h_j;  r = s1 / s2
//   score(h) = logsumexp(W (h exp(r)) + b)          (h itself is not pruned, only scaled)
// Like OpenOOD's ScaleNet, it shapes the pooled penultimate features (the paper's scaling acts on the last feature
// map before pooling; for a global-average-pooled ResNet the two differ only by which sums are taken).
// Since exp(r) is one number per row, W (h exp(r)) + b = exp(r) (W h) + b: the product W h is taken once from the
// unscaled features and each row's logits scaled after it (the same value; no n x D scaled copy is written).
import { defineDetector, logSumExp, type Detector } from './detector';
import { logitsOf, percentileParam, roundHalfEven, topSum } from './shaping';

export const scaleSpec = {
  label: 'SCALE',
  paper: 'Xu et al., ICLR 2024',
  defaults: { scaleP: 85 },
  grid: { scaleP: [65, 70, 75, 80, 85, 90, 95] },
};

/** Number of activations kept at percentile p: D - round(D p / 100), as OpenOOD's ash_b / scale compute it. */
export const keptCount = (D: number, p: number) => D - roundHalfEven((D * p) / 100);

export function createScale(p: { scaleP?: number } = {}): Detector {
  const pct = percentileParam('SCALE', p.scaleP ?? scaleSpec.defaults.scaleP);
  return defineDetector(
    'scale',
    { scaleP: pct },
    (_t, W, b) => ({ W, b }),
    async (batch, f) => {
      const { dim } = f;
      const { C, b } = f;
      const k = keptCount(dim, pct);
      const logits = await logitsOf(batch.features, batch.n, dim, { W: f.W, b: new Float64Array(C), C });
      const scratch = new Float64Array(dim);
      for (let i = 0; i < batch.n; i++) {
        const o = i * dim;
        let s1 = 0;
        for (let j = 0; j < dim; j++) s1 += batch.features[o + j];
        const s2 = topSum(batch.features, o, dim, k, scratch);
        // k = 0 (p = 100) leaves s2 = 0: torch gives s1/0 = inf or nan; the factor is then taken as 1.
        const r = s2 !== 0 ? Math.exp(s1 / s2) : 1;
        for (let c = 0; c < C; c++) logits[i * C + c] = logits[i * C + c] * r + b[c];
      }
      return logSumExp(logits, batch.n, C);
    },
  );
}
