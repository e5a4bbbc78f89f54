// GradNorm. Huang, Geng & Li, "On the Importance of Gradients for Detecting Distributional Shifts in the Wild",
// NeurIPS 2021 (OpenOOD `gradnorm_postprocessor.py`).
// The score is the L1 norm of the gradient, with respect to the last layer's weights W, of the cross-entropy
// between the softmax and a uniform target. With z = W h + b, p = softmax(z) and OpenOOD's loss
//   L = sum_c -log p_c                       (targets = ones, as OpenOOD writes it)
// dL/dz_c = C p_c - 1 and dL/dW_cj = (C p_c - 1) h_j, so in closed form
//   score(h) = sum_{c,j} |dL/dW_cj| = (sum_c |C p_c - 1|) (sum_j |h_j|)
// Difference from the paper: the paper's target is the uniform distribution, L = (1/C) sum_c -log p_c, whose
// gradient norm is the above divided by C: the same ranking, hence the same metrics; OpenOOD's scale is kept.
// p is the softmax of the logits given (the network's), as OpenOOD recomputes fc(h) = the same logits.
import { defineDetector, nothingToLearn, perRow, type Detector } from './detector';
import { softmaxRow } from './shaping';

export const gradnormSpec = {
  label: 'GradNorm',
  paper: 'Huang et al., NeurIPS 2021',
  defaults: {},
  grid: {},
};

export function createGradNorm(): Detector {
  return defineDetector('gradnorm', {}, nothingToLearn, (b, { dim, C }) => {
    const p = new Float64Array(C);
    return perRow(b.n, (i) => {
      softmaxRow(b.logits, i, C, p);
      let a = 0;
      for (let c = 0; c < C; c++) a += Math.abs(C * p[c] - 1);
      let h1 = 0;
      for (let k = 0; k < dim; k++) h1 += Math.abs(b.features[i * dim + k]);
      return a * h1;
    });
  });
}
