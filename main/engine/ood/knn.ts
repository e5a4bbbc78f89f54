// KNN: deep nearest neighbours. Sun, Ming, Zhu & Li, "Out-of-Distribution Detection with Deep Nearest Neighbors",
// ICML 2022 (OpenOOD `knn_postprocessor.py`).
//   z = h / ||h||   (ID train features and the query alike)
//   score(h) = -||z - z_(K)||^2   where z_(K) is the K-th nearest normalised ID train feature
// OpenOOD searches faiss' IndexFlatL2, which returns SQUARED distances, and scores minus the K-th of them; the paper
// writes the distance itself. Squaring is monotone, so rankings and metrics agree; OpenOOD's value is kept. (Its
// normaliser adds 1e-10 to every coordinate after dividing, which cancels in a difference.) For unit vectors
// ||z - z'||^2 = 2 - 2 z.z', so the search is a blocked matrix product (neighbours.ts), not a loop over pairs. A
// zero feature vector (OpenOOD: NaN) is compared as the zero vector.
import { checkBatch, notFitted, type Batch, type Detector, type IdTrain } from './detector';
import { topInnerProducts } from './neighbours';
import { normaliseRows } from './shaping';
import { trainStats } from './stats';

export const knnSpec = {
  label: 'KNN',
  paper: 'Sun et al., ICML 2022',
  defaults: { knnK: 50 },
  grid: { knnK: [50, 100, 200, 500, 1000] },
};

const maxGridK = Math.max(...knnSpec.grid.knnK);
/** Batches up to this size (the sweep's held-out ID and validation OOD sets) are cached between grid points. */
const CACHE_ROWS = 10000;

interface Bank {
  z: Float32Array;
  N: number;
  /** Query features -> their top-k similarities (k = kmax), for the sweep's repeated scoring of one split. */
  cache: { key: Float32Array; kmax: number; tops: Float32Array }[];
}

export function knnBank(t: IdTrain): Promise<Bank> {
  return trainStats(t).memo('knn-bank', async () => ({
    z: Float32Array.from(normaliseRows(t.features, t.n, t.dim, 0)),
    N: t.n,
    cache: [],
  }));
}

export function createKnn(p: { knnK?: number } = {}): Detector {
  const requested = p.knnK ?? knnSpec.defaults.knnK;
  const params = { knnK: requested };
  let f: { dim: number; C: number; bank: Bank; K: number } | null = null;
  return {
    method: 'knn',
    params,
    async fit(t: IdTrain) {
      const K = Math.max(1, Math.min(Math.round(requested), t.n));
      params.knnK = K;
      f = { dim: t.dim, C: t.classes, bank: await knnBank(t), K };
    },
    async score(b: Batch) {
      if (!f) throw notFitted('knn');
      const { dim, bank, K } = f;
      checkBatch('knn', dim, f.C, b);
      let hit = bank.cache.find((c) => c.key === b.features && c.kmax >= K);
      if (!hit) {
        // A split scored again with another K (the sweep) keeps its top maxGridK from then on; a split scored
        // once keeps only its K (selecting 1000 neighbours of each row costs about as much as the product).
        const again = bank.cache.some((c) => c.key === b.features);
        const kmax = b.n <= CACHE_ROWS && again ? Math.min(bank.N, Math.max(K, maxGridK)) : K;
        const zq = normaliseRows(b.features, b.n, dim, 0);
        hit = { key: b.features, kmax, tops: await topInnerProducts(bank.z, bank.N, zq, b.n, dim, kmax) };
        if (b.n <= CACHE_ROWS) {
          bank.cache.push(hit);
          if (bank.cache.length > 2) bank.cache.shift();
        }
      }
      const out = new Float64Array(b.n);
      for (let i = 0; i < b.n; i++) {
        let q2 = 0;
        for (let k = 0; k < dim; k++) q2 += b.features[i * dim + k] ** 2;
        out[i] = -((q2 > 0 ? 1 : 0) + 1 - 2 * hit.tops[i * hit.kmax + K - 1]);
      }
      return out;
    },
  };
}
