// SHE: Simplified Hopfield Energy. Zhang, Fu, Chen, Wang, Ma, Fang, Wang & Liu, "Out-of-Distribution Detection based
// on In-Distribution Data Patterns Memorization with Modern Hopfield Energy", ICLR 2023 (OpenOOD
// `she_postprocessor.py`, metric 'inner_product').
//   s_c = mean of the ID train features whose label is c AND which the network classifies as c (the stored pattern)
//   score(h) = h . s_{argmax logits(h)}
// A class without a correctly classified ID sample (OpenOOD would divide by zero and get NaN) falls back to the
// mean of all its ID samples, and to the zero vector when it has none.
import { argmaxRows } from '../linalg/kernels';
import { defineDetector, perRow, type Detector } from './detector';
import { trainStats } from './stats';

export const sheSpec = { label: 'SHE', paper: 'Zhang et al., ICLR 2023', defaults: {}, grid: {} };

export function createShe(): Detector {
  return defineDetector(
    'she',
    {},
    (t) => {
      const { n, dim, classes: C } = t;
      const pred = argmaxRows(t.logits, n, C);
      const patterns = new Float64Array(C * dim);
      const count = new Float64Array(C);
      for (let i = 0; i < n; i++) {
        const c = t.labels[i];
        if (pred[i] !== c) continue;
        count[c]++;
        for (let k = 0; k < dim; k++) patterns[c * dim + k] += t.features[i * dim + k];
      }
      const st = trainStats(t);
      for (let c = 0; c < C; c++)
        for (let k = 0; k < dim; k++)
          patterns[c * dim + k] = count[c]
            ? patterns[c * dim + k] / count[c]
            : st.counts[c]
              ? st.means[c * dim + k]
              : 0;
      return { patterns };
    },
    (b, { dim, C, patterns }) => {
      const pred = argmaxRows(b.logits, b.n, C);
      return perRow(b.n, (i) => {
        let s = 0;
        const po = pred[i] * dim;
        for (let k = 0; k < dim; k++) s += b.features[i * dim + k] * patterns[po + k];
        return s;
      });
    },
  );
}
