// RMDS: Relative Mahalanobis Distance. Ren, Fort, Liu, Roy, Padhy & Lakshminarayanan, "A Simple Fix to Mahalanobis
// Distance for Improving Near-OOD Detection", arXiv 2106.09022, 2021 (OpenOOD `rmds_postprocessor.py`).
//   mu_c, S = tied class-centred covariance of ID train (as Mahalanobis), P = S^+
//   m, S0 = mean and covariance of ID train about m (the "background" Gaussian), P0 = S0^+
//   score(h) = max_c [ -(h - mu_c)' P (h - mu_c) + (h - m)' P0 (h - m) ]
// (OpenOOD, like the paper's MD_k - MD_0, with the sign that makes ID larger; precisions are sklearn's pinvh.)
import { projectedNorms2 } from '../linalg/gemm';
import { defineDetector, type Detector } from './detector';
import { createMahalanobis, factor } from './mahalanobis';
import { trainStats } from './stats';

export const rmdsSpec = { label: 'RMDS', paper: 'Ren et al., 2021', defaults: {}, grid: {} };

export function createRmds(): Detector {
  const md = createMahalanobis();
  return defineDetector(
    'rmds',
    {},
    async (t, W, b) => {
      await md.fit(t, W, b);
      const st = trainStats(t);
      const S0 = Float64Array.from(await st.total()).map((v) => v / st.n);
      return { mean: st.globalMean, A0: factor(S0, t.dim) };
    },
    async (batch, { dim, mean, A0 }) => {
      const out = await md.score(batch);
      const bg = await projectedNorms2({ x: batch.features, n: batch.n, dim, shift: mean }, A0, dim);
      return out.map((v, i) => v + bg[i]);
    },
  );
}
