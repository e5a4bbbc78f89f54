// Max Logit (MLS): the largest unnormalised logit. Hendrycks et al., "Scaling Out-of-Distribution Detection for
// Real-World Settings", ICML 2022 (OpenOOD `mls_postprocessor.py`).
//   score(x) = max_c logits_c
import { defineDetector, maxLogit, nothingToLearn, type Detector } from './detector';

export const maxlogitSpec = {
  label: 'Max Logit',
  paper: 'Hendrycks et al., ICML 2022',
  defaults: {},
  grid: {},
};

export function createMaxLogit(): Detector {
  return defineDetector('maxlogit', {}, nothingToLearn, (b, { C }) => maxLogit(b.logits, b.n, C));
}
