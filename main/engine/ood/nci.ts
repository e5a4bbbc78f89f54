// NCI: Neural Collapse Inspired detection. Liu & Qin, "Detecting Out-of-Distribution through the Lens of Neural
// Collapse", CVPR 2025 (OpenOOD `nci_postprocessor.py`).
//   m = mean of ID train features; c = argmax logits
//   score(h) = w_c . (h - m) / ||h - m|| + alpha ||h||_1
// The first term is the cosine between the centred feature and its predicted class's classifier row times
// ||w_c|| (neural collapse's self-duality: ID features align with their class's weight vector); the second, the
// feature norm, separates what the first leaves close. alpha is swept on the validation split as in OpenOOD.
import { argmaxRows } from '../linalg/kernels';
import { defineDetector, perRow, type Detector } from './detector';
import { trainStats } from './stats';

export const nciSpec = {
  label: 'NCI',
  paper: 'Liu & Qin, CVPR 2025',
  defaults: { nciAlpha: 0.0001 },
  grid: { nciAlpha: [0.0001, 0.001, 0.01, 0.1] },
};

export function createNci(p: { nciAlpha?: number } = {}): Detector {
  const alpha = p.nciAlpha ?? nciSpec.defaults.nciAlpha;
  if (!(alpha >= 0)) throw new RangeError(`NCI: alpha must be >= 0 (got ${alpha}).`);
  return defineDetector(
    'nci',
    { nciAlpha: alpha },
    (t, W) => ({ mean: trainStats(t).globalMean, W }),
    (b, { dim, C, mean, W }) => {
      const top = argmaxRows(b.logits, b.n, C);
      return perRow(b.n, (i) => {
        const wo = top[i] * dim;
        let dot = 0;
        let n2 = 0;
        let l1 = 0;
        for (let k = 0; k < dim; k++) {
          const h = b.features[i * dim + k];
          const d = h - mean[k];
          dot += W[wo + k] * d;
          n2 += d * d;
          l1 += Math.abs(h);
        }
        return dot / Math.sqrt(n2) + alpha * l1;
      });
    },
  );
}
