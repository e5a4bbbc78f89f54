// Residual: the norm of a feature's component outside the principal space, ViM without the logits. Wang, Li, Feng &
// Zhang, "ViM: Out-Of-Distribution with Virtual-logit Matching", CVPR 2022 (OpenOOD `residual_postprocessor.py`).
//   u = -pinv(W) b;  S = (1/N) sum_i (h_i - u)(h_i - u)'  (ID train);  R = eigenvectors of S beyond the top D
//   score(h) = -||R'(h - u)||
// Differences from OpenOOD: OpenOOD fits S on its ID validation images, here on ID train (as ViM, whose
// eigen-decomposition this shares); OpenOOD's config sets D = 512, which for 512-d features leaves no residual
// (every score 0), so the default here is ViM's D = 256 with ViM's grid.
import { checkBatch, notFitted, type Batch, type Detector, type IdTrain } from './detector';
import { eigh, type Eigh } from '../linalg/eigh';
import { projectChunks } from '../linalg/gemm';
import { addOuter } from '../linalg/kernels';
import { trainStats } from './stats';
import { vimOrigin } from './vim';

export const residualSpec = {
  label: 'Residual',
  paper: 'Wang et al., CVPR 2022',
  defaults: { residualD: 256 },
  grid: { residualD: [64, 128, 256, 384] },
};

export function createResidual(p: { residualD?: number } = {}): Detector {
  const requested = p.residualD ?? residualSpec.defaults.residualD;
  const params = { residualD: requested };
  let f: { dim: number; C: number; u: Float64Array; res: Float64Array; R: number } | null = null;
  return {
    method: 'residual',
    params,
    async fit(t: IdTrain, W: Float32Array, b: Float32Array) {
      const { dim, classes: C } = t;
      const D = Math.max(1, Math.min(Math.round(requested), dim - 1));
      params.residualD = D;
      const u = vimOrigin(W, b, C, dim);
      const st = trainStats(t);
      // Same key as ViM: the two share one eigen-decomposition per ID train set.
      const eig = await st.memo<Eigh>(`vim-eig:${u.join(',')}`, async () => {
        const s = Float64Array.from(await st.total());
        addOuter(s, dim, st.globalMean, u, st.n);
        return eigh(
          s.map((v) => v / st.n),
          dim,
        );
      });
      const R = dim - D;
      f = { dim, C, u, res: eig.vectors.subarray(0, R * dim), R };
    },
    async score(batch: Batch) {
      if (!f) throw notFitted('residual');
      const { dim, u, res, R } = f;
      checkBatch('residual', dim, f.C, batch);
      const out = new Float64Array(batch.n);
      await projectChunks({ x: batch.features, n: batch.n, dim, shift: u }, res, R, (start, count, y) => {
        for (let i = 0; i < count; i++) {
          let s = 0;
          for (let r = 0; r < R; r++) s += y[i * R + r] * y[i * R + r];
          out[start + i] = -Math.sqrt(s);
        }
      });
      return out;
    },
  };
}
