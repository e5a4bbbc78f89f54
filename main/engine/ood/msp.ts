// MSP: maximum softmax probability. Hendrycks & Gimpel, "A Baseline for Detecting Misclassified and
// Out-of-Distribution Examples in Neural Networks", ICLR 2017 (OpenOOD `msp_postprocessor.py`).
//   score(x) = max_c softmax(logits)_c = 1 / sum_c exp(l_c - max_c l_c) = 1 / (1 + r), r the other classes' mass,
//   in float64.
// Not exp(max - logsumexp): with confident logits (max ~ 40) the sum max + log(1 + r) rounds to max at the ulp of
// max (7e-15), so MSP became exactly 1.0 (or one of a few steps below it) for hundreds of samples that float64
// softmax tells apart, and FPR@95 moved by up to 0.13. 1 / (1 + r) keeps every r above 1.1e-16 apart.
import { checkBatch, notFitted, type Batch, type Detector, type IdTrain } from './detector';

export const mspSpec = { label: 'MSP', paper: 'Hendrycks & Gimpel, ICLR 2017', defaults: {}, grid: {} };

export function createMsp(): Detector {
  let C = 0;
  let dim = 0;
  return {
    method: 'msp',
    params: {},
    async fit(t: IdTrain) {
      C = t.classes;
      dim = t.dim;
    },
    async score(b: Batch) {
      if (!C) throw notFitted('msp');
      checkBatch('msp', dim, C, b);
      const out = new Float64Array(b.n);
      for (let i = 0; i < b.n; i++) {
        const row = i * C;
        let top = 0;
        for (let c = 1; c < C; c++) if (b.logits[row + c] > b.logits[row + top]) top = c;
        const m = b.logits[row + top];
        // The other classes' mass first, then the top class's 1: adding tiny terms one by one to 1 would round each.
        let rest = 0;
        for (let c = 0; c < C; c++) if (c !== top) rest += Math.exp(b.logits[row + c] - m);
        out[i] = Number.isNaN(m) ? NaN : 1 / (1 + rest);
      }
      return out;
    },
  };
}
