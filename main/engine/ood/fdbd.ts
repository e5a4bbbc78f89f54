// fDBD: fast Decision Boundary based Detection. Liu & Qin, "Fast Decision Boundary based Out-of-Distribution
// Detector", ICML 2024 (OpenOOD `fdbd_postprocessor.py`).
//   c = argmax logits;  d_j = |l_c - l_j| / ||w_c - w_j||   (distance of h to the c-vs-j decision boundary)
//   score(h) = sum_{j != c} d_j / ||h - m||     (m: mean of ID train features; fdbdCentred = 1)
//            = sum_{j != c} d_j / ||h||         (fdbdCentred = 0)
// Differences from the paper: the paper averages over j (a factor 1/(C-1), which changes no ranking) and always
// divides by ||h - m||; OpenOOD picks the normaliser on the validation split, and so does the sweep here.
// The logits are the network's (the *_logits.npy when given), as OpenOOD uses the network output.
import { argmaxRows } from '../linalg/kernels';
import { defineDetector, perRow, type Detector } from './detector';
import { trainStats } from './stats';

export const fdbdSpec = {
  label: 'fDBD',
  paper: 'Liu & Qin, ICML 2024',
  defaults: { fdbdCentred: 1 },
  grid: { fdbdCentred: [1, 0] },
};

export function createFdbd(p: { fdbdCentred?: number } = {}): Detector {
  const centred = (p.fdbdCentred ?? fdbdSpec.defaults.fdbdCentred) ? 1 : 0;
  return defineDetector(
    'fdbd',
    { fdbdCentred: centred },
    (t, W) => {
      const { dim, classes: C } = t;
      // 1 / ||w_c - w_j|| (the diagonal is never used: |l_c - l_c| = 0, OpenOOD sets its denominator to 1). Two
      // identical rows (OpenOOD: a division by zero) contribute nothing.
      const invDen = new Float64Array(C * C);
      for (let c = 0; c < C; c++)
        for (let j = 0; j < C; j++) {
          let s = 0;
          for (let k = 0; k < dim; k++) s += (W[c * dim + k] - W[j * dim + k]) ** 2;
          invDen[c * C + j] = c === j ? 1 : s > 0 ? 1 / Math.sqrt(s) : 0;
        }
      return { mean: trainStats(t).globalMean, invDen };
    },
    (b, { dim, C, mean, invDen }) => {
      const top = argmaxRows(b.logits, b.n, C);
      return perRow(b.n, (i) => {
        const lo = i * C;
        const c = top[i];
        let s = 0;
        for (let j = 0; j < C; j++)
          if (j !== c) s += Math.abs(b.logits[lo + c] - b.logits[lo + j]) * invDen[c * C + j];
        let n2 = 0;
        for (let k = 0; k < dim; k++) n2 += (b.features[i * dim + k] - (centred ? mean[k] : 0)) ** 2;
        return s / Math.sqrt(n2);
      });
    },
  );
}
