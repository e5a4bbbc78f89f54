// MSP: maximum softmax probability. Hendrycks & Gimpel, "A Baseline for Detecting Misclassified and
// Out-of-Distribution Examples in Neural Networks", ICLR 2017 (OpenOOD `msp_postprocessor.py`).
//   score(x) = max_c softmax(logits)_c = 1 / sum_c exp(l_c - max_c l_c) = 1 / (1 + r), r the other classes' mass,
//   in float64.
// Not exp(max - logsumexp): with confident logits (max ~ 40) the sum max + log(1 + r) rounds to max at the ulp of
// max (7e-15), so MSP became exactly 1.0 (or one of a few steps below it) for hundreds of samples that float64
// softmax tells apart, and FPR@95 moved by up to 0.13. 1 / (1 + r) keeps every r above 1.1e-16 apart.
import { argmaxRows } from '../linalg/kernels';
import { defineDetector, nothingToLearn, perRow, type Detector } from './detector';

export const mspSpec = { label: 'MSP', paper: 'Hendrycks & Gimpel, ICLR 2017', defaults: {}, grid: {} };

export function createMsp(): Detector {
  return defineDetector('msp', {}, nothingToLearn, (b, { C }) => {
    const top = argmaxRows(b.logits, b.n, C);
    return perRow(b.n, (i) => {
      const row = i * C;
      const m = b.logits[row + top[i]];
      // The other classes' mass first, then the top class's 1: adding tiny terms one by one to 1 would round each.
      let rest = 0;
      for (let c = 0; c < C; c++) if (c !== top[i]) rest += Math.exp(b.logits[row + c] - m);
      return Number.isNaN(m) ? NaN : 1 / (1 + rest);
    });
  });
}
