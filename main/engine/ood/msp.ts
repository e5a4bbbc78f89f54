// MSP: maximum softmax probability. Hendrycks & Gimpel, "A Baseline for Detecting Misclassified and
// Out-of-Distribution Examples in Neural Networks", ICLR 2017 (OpenOOD `msp_postprocessor.py`).
//   score(x) = max_c softmax(logits)_c = exp(max logit - logsumexp(logits))
import {
  checkBatch,
  logSumExp,
  maxLogit,
  notFitted,
  type Batch,
  type Detector,
  type IdTrain,
} from './detector';

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
      const m = maxLogit(b.logits, b.n, C);
      const lse = logSumExp(b.logits, b.n, C);
      return m.map((v, i) => Math.exp(v - lse[i]));
    },
  };
}
