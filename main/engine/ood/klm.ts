// KL-Matching. Hendrycks, Basart, Mazeika, Zou, Kwon, Mostajabi, Steinhardt & Song, "Scaling Out-of-Distribution
// Detection for Real-World Settings", ICML 2022 (OpenOOD `kl_matching_postprocessor.py`).
//   q_c = mean softmax of the ID samples the network predicts as c (argmax of the logits, not the label);
//         a class predicted for none of them gets the one-hot vector e_c (KL to it is infinite for any p that puts
//         mass elsewhere, as scipy.stats.entropy computes it, so such a class is never the nearest)
//   score(x) = -min_c KL(p || q_c),  p = softmax(logits),  KL(p || q) = sum_j p_j log(p_j / q_j)
// Difference from OpenOOD: OpenOOD averages over its ID validation images; here over the features the detector is
// fitted on (ID train), since the validation split is reserved for hyper-parameter selection (KLM has none).
// Computed as sum_j p_j log p_j - max_c p . log q_c: one product of p with the C x C matrix log q.
import { projectChunks } from '../linalg/gemm';
import { argmaxRows } from '../linalg/kernels';
import { defineDetector, type Detector } from './detector';
import { softmaxRow } from './shaping';

export const klmSpec = { label: 'KL-Matching', paper: 'Hendrycks et al., ICML 2022', defaults: {}, grid: {} };

function softmaxAll(logits: Float32Array, n: number, C: number): Float64Array {
  const out = new Float64Array(n * C);
  for (let i = 0; i < n; i++) softmaxRow(logits, i, C, out.subarray(i * C, (i + 1) * C));
  return out;
}

export function createKlm(): Detector {
  return defineDetector(
    'klm',
    {},
    (t) => {
      const { n, classes: C } = t;
      const pred = argmaxRows(t.logits, n, C);
      const q = new Float64Array(C * C);
      const count = new Float64Array(C);
      const pr = new Float64Array(C);
      for (let i = 0; i < n; i++) {
        softmaxRow(t.logits, i, C, pr);
        count[pred[i]]++;
        for (let j = 0; j < C; j++) q[pred[i] * C + j] += pr[j];
      }
      const rows: number[] = [];
      const oneHot: number[] = [];
      for (let c = 0; c < C; c++) (count[c] ? rows : oneHot).push(c);
      const logQ = new Float64Array(rows.length * C);
      rows.forEach((c, r) => {
        for (let j = 0; j < C; j++) logQ[r * C + j] = Math.log(q[c * C + j] / count[c]);
      });
      return { logQ, oneHot: Int32Array.from(oneHot), rows };
    },
    async (b, { C, logQ, oneHot, rows }) => {
      const P = softmaxAll(b.logits, b.n, C);
      const R = rows.length;
      const out = new Float64Array(b.n);
      await projectChunks({ x: P, n: b.n, dim: C }, logQ, R, (start, count, y) => {
        for (let i = 0; i < count; i++) {
          const o = (start + i) * C;
          let plogp = 0;
          for (let j = 0; j < C; j++) if (P[o + j] > 0) plogp += P[o + j] * Math.log(P[o + j]);
          let best = Infinity;
          for (let r = 0; r < R; r++) best = Math.min(best, plogp - y[i * R + r]);
          // KL(p || e_c) is infinite unless p puts no mass off c (then it is sum_j p_j log p_j = 0).
          for (const c of oneHot) {
            let off = 0;
            for (let j = 0; j < C; j++) if (j !== c) off += P[o + j];
            if (off === 0) best = Math.min(best, plogp);
          }
          out[start + i] = -best;
        }
      });
      return out;
    },
  );
}
