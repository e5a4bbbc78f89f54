// NECO: NEural Collapse based Out-of-distribution detection. Ammar, Belkhir, Popescu, Manzanera & Franchi,
// "NECO: NEural Collapse Based Out-of-distribution Detection", ICLR 2024.
//   z = (h - mean) / std                 (standardised with ID train statistics, population std; 0 std -> 1)
//   P_k = the top-k principal directions of z on ID train (PCA)
//   score(h) = ||P_k' z|| / ||z||        (times max logit only for non-ResNet backbones: not applied here)
// k: PCA dimension, clamped to 1..dim-1 (k = dim would score every input 1). z = 0 scores 1.
import { eigh, type Eigh } from '../linalg/eigh';
import { projectedNorms2 } from '../linalg/gemm';
import { defineDetector, perRow, type Detector } from './detector';
import { trainStats } from './stats';

export const necoSpec = {
  label: 'NECO',
  paper: 'Ammar et al., ICLR 2024',
  defaults: { k: 100 },
  grid: { k: [10, 25, 50, 100, 150, 200, 300] },
};

export function createNeco(p: { k?: number } = {}): Detector {
  const requested = p.k ?? necoSpec.defaults.k;
  const params = { k: requested };
  return defineDetector(
    'neco',
    params,
    async (t) => {
      const { dim } = t;
      const k = Math.max(1, Math.min(Math.round(requested), dim - 1));
      params.k = k;
      const st = trainStats(t);
      const total = await st.total();
      const inv = new Float64Array(dim);
      for (let j = 0; j < dim; j++) {
        const sd = Math.sqrt(total[j * dim + j] / st.n);
        inv[j] = sd > 0 ? 1 / sd : 1;
      }
      const eig = await st.memo<Eigh>('neco-pca', async () =>
        eigh(
          total.map((v, i) => (v / st.n) * inv[Math.floor(i / dim)] * inv[i % dim]),
          dim,
        ),
      );
      // Top-k directions are the last k eigenvectors (ascending order); fold the 1/std scaling into them.
      const rows = new Float64Array(k * dim);
      for (let r = 0; r < k; r++) {
        const src = (dim - 1 - r) * dim;
        for (let j = 0; j < dim; j++) rows[r * dim + j] = eig.vectors[src + j] * inv[j];
      }
      return { mean: st.globalMean, inv, rows, k };
    },
    async (b, { dim, mean, inv, rows, k }) => {
      const p2 = await projectedNorms2({ x: b.features, n: b.n, dim, shift: mean }, rows, k);
      return perRow(b.n, (i) => {
        let z2 = 0;
        const o = i * dim;
        for (let j = 0; j < dim; j++) {
          const z = (b.features[o + j] - mean[j]) * inv[j];
          z2 += z * z;
        }
        return z2 > 0 ? Math.sqrt(p2[i] / z2) : 1;
      });
    },
  );
}
