// Max Logit (MLS): the largest unnormalised logit. Hendrycks et al., "Scaling Out-of-Distribution Detection for
// Real-World Settings", ICML 2022 (OpenOOD `mls_postprocessor.py`).
//   score(x) = max_c logits_c
import { checkBatch, maxLogit, notFitted, type Batch, type Detector, type IdTrain } from './detector';

export const maxlogitSpec = {
  label: 'Max Logit',
  paper: 'Hendrycks et al., ICML 2022',
  defaults: {},
  grid: {},
};

export function createMaxLogit(): Detector {
  let C = 0;
  let dim = 0;
  return {
    method: 'maxlogit',
    params: {},
    async fit(t: IdTrain) {
      C = t.classes;
      dim = t.dim;
    },
    async score(b: Batch) {
      if (!C) throw notFitted('maxlogit');
      checkBatch('maxlogit', dim, C, b);
      return maxLogit(b.logits, b.n, C);
    },
  };
}
