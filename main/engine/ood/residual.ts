// Residual: the norm of a feature's component outside the principal space, ViM without the logits. Wang, Li, Feng &
// Zhang, "ViM: Out-Of-Distribution with Virtual-logit Matching", CVPR 2022 (OpenOOD `residual_postprocessor.py`).
//   u = -pinv(W) b;  S = (1/N) sum_i (h_i - u)(h_i - u)'  (ID train);  R = eigenvectors of S beyond the top D
//   score(h) = -||R'(h - u)||
// Differences from OpenOOD: OpenOOD fits S on its ID validation images, here on ID train (as ViM, whose
// eigen-decomposition this shares); OpenOOD's config sets D = 512, which for 512-d features leaves no residual
// (every score 0), so the default here is ViM's D = 256 with ViM's grid.
import { defineDetector, type Detector } from './detector';
import { residualNorms, residualSpace } from './vim';

export const residualSpec = {
  label: 'Residual',
  paper: 'Wang et al., CVPR 2022',
  defaults: { residualD: 256 },
  grid: { residualD: [64, 128, 256, 384] },
};

export function createResidual(p: { residualD?: number } = {}): Detector {
  const requested = p.residualD ?? residualSpec.defaults.residualD;
  const params = { residualD: requested };
  return defineDetector(
    'residual',
    params,
    async (t, W, b) => {
      const space = await residualSpace(t, W, b, requested);
      params.residualD = space.D;
      return space;
    },
    async (batch, f) => (await residualNorms(batch.features, batch.n, f.dim, f)).map((r) => -r),
  );
}
