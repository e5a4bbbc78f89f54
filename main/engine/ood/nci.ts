// NCI: Neural Collapse Inspired detection. Liu & Qin, "Detecting Out-of-Distribution through the Lens of Neural
// Collapse", CVPR 2025 (OpenOOD `nci_postprocessor.py`).
//   m = mean of ID train features; c = argmax logits
//   score(h) = w_c . (h - m) / ||h - m|| + alpha ||h||_1
// The first term is the cosine between the centred feature and its predicted class's classifier row times
// ||w_c|| (neural collapse's self-duality: ID features align with their class's weight vector); the second, the
// feature norm, separates what the first leaves close. alpha is swept on the validation split as in OpenOOD.
import { checkBatch, notFitted, type Batch, type Detector, type IdTrain } from './detector';
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
  let f: { dim: number; C: number; mean: Float64Array; W: Float32Array } | null = null;
  return {
    method: 'nci',
    params: { nciAlpha: alpha },
    async fit(t: IdTrain, W: Float32Array) {
      f = { dim: t.dim, C: t.classes, mean: trainStats(t).globalMean, W };
    },
    async score(b: Batch) {
      if (!f) throw notFitted('nci');
      const { dim, C, mean, W } = f;
      checkBatch('nci', dim, C, b);
      const out = new Float64Array(b.n);
      for (let i = 0; i < b.n; i++) {
        const lo = i * C;
        let c = 0;
        for (let j = 1; j < C; j++) if (b.logits[lo + j] > b.logits[lo + c]) c = j;
        let dot = 0;
        let n2 = 0;
        let l1 = 0;
        for (let k = 0; k < dim; k++) {
          const h = b.features[i * dim + k];
          const d = h - mean[k];
          dot += W[c * dim + k] * d;
          n2 += d * d;
          l1 += Math.abs(h);
        }
        out[i] = dot / Math.sqrt(n2) + alpha * l1;
      }
      return out;
    },
  };
}
