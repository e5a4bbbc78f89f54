// RMDS: Relative Mahalanobis Distance. Ren, Fort, Liu, Roy, Padhy & Lakshminarayanan, "A Simple Fix to Mahalanobis
// Distance for Improving Near-OOD Detection", arXiv 2106.09022, 2021 (OpenOOD `rmds_postprocessor.py`).
//   mu_c, S = tied class-centred covariance of ID train (as Mahalanobis), P = S^+
//   m, S0 = mean and covariance of ID train about m (the "background" Gaussian), P0 = S0^+
//   score(h) = max_c [ -(h - mu_c)' P (h - mu_c) + (h - m)' P0 (h - m) ]
// (OpenOOD, like the paper's MD_k - MD_0, with the sign that makes ID larger; precisions are sklearn's pinvh.)
import { checkBatch, notFitted, type Batch, type Detector, type IdTrain } from './detector';
import { projectChunks } from '../linalg/gemm';
import { createMahalanobis, factor } from './mahalanobis';
import { trainStats } from './stats';

export const rmdsSpec = { label: 'RMDS', paper: 'Ren et al., 2021', defaults: {}, grid: {} };

export function createRmds(): Detector {
  const md = createMahalanobis();
  let f: { dim: number; C: number; mean: Float64Array; A0: Float64Array } | null = null;
  return {
    method: 'rmds',
    params: {},
    async fit(t: IdTrain, W: Float32Array, b: Float32Array) {
      await md.fit(t, W, b);
      const st = trainStats(t);
      const S0 = Float64Array.from(await st.total()).map((v) => v / st.n);
      f = { dim: t.dim, C: t.classes, mean: st.globalMean, A0: factor(S0, t.dim) };
    },
    async score(batch: Batch) {
      if (!f) throw notFitted('rmds');
      const { dim, mean, A0 } = f;
      checkBatch('rmds', dim, f.C, batch);
      const out = await md.score(batch);
      await projectChunks({ x: batch.features, n: batch.n, dim, shift: mean }, A0, dim, (start, count, y) => {
        for (let i = 0; i < count; i++) {
          let s = 0;
          for (let r = 0; r < dim; r++) s += y[i * dim + r] * y[i * dim + r];
          out[start + i] += s;
        }
      });
      return out;
    },
  };
}
