// NNGuide: Nearest Neighbour Guidance. Park, Jung & Teoh, "Nearest Neighbor Guidance for Out-of-Distribution
// Detection", ICCV 2023 (OpenOOD `nnguide_postprocessor.py`).
//   bank: a fraction alpha of ID train; g_j = (h_j / ||h_j|| + 1e-10) * logsumexp(logits_j)  (guided bank)
//   z = h / ||h|| + 1e-10;  conf(h) = mean of the K largest z . g_j  (faiss IndexFlatIP)
//   score(h) = conf(h) * logsumexp(logits(h))
// The 1e-10 added after the division is OpenOOD's normaliser, kept for exactness. Differences from OpenOOD: its bank
// is the first batches of a shuffled train loader until more than alpha N images (so up to a batch more); here a
// seeded random alpha N of ID train (at least K). K is clamped to the bank size. OpenOOD does not sweep K or alpha
// (its grid is the single point K = 100, alpha = 0.01), so neither does the sweep here.
import { defineDetector, logSumExp, perRow, type Detector } from './detector';
import { mulberry32, shuffle } from '../data/rng';
import { topInnerProducts } from './neighbours';
import { normaliseRows } from './shaping';

export const nnguideSpec = {
  label: 'NNGuide',
  paper: 'Park et al., ICCV 2023',
  defaults: { nnguideK: 100, nnguideAlpha: 0.01 },
  grid: {},
};

export function createNnguide(p: { nnguideK?: number; nnguideAlpha?: number } = {}, seed = 0): Detector {
  const requested = p.nnguideK ?? nnguideSpec.defaults.nnguideK;
  const alpha = p.nnguideAlpha ?? nnguideSpec.defaults.nnguideAlpha;
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`NNGuide: alpha must be in (0, 1] (got ${alpha}).`);
  const params = { nnguideK: requested, nnguideAlpha: alpha };
  return defineDetector(
    'nnguide',
    params,
    (t) => {
      const { n, dim, classes: C } = t;
      const K0 = Math.max(1, Math.round(requested));
      const N = Math.min(n, Math.max(K0, Math.ceil(alpha * n)));
      const pick = shuffle(n, mulberry32(seed ^ 0x99))
        .subarray(0, N)
        .slice()
        .sort();
      const h = new Float32Array(N * dim);
      const l = new Float32Array(N * C);
      pick.forEach((r, i) => {
        h.set(t.features.subarray(r * dim, (r + 1) * dim), i * dim);
        l.set(t.logits.subarray(r * C, (r + 1) * C), i * C);
      });
      const z = normaliseRows(h, N, dim);
      const e = logSumExp(l, N, C);
      const bank = Float32Array.from(z, (v, j) => v * e[Math.floor(j / dim)]);
      params.nnguideK = Math.min(K0, N);
      return { bank, N, K: params.nnguideK };
    },
    async (b, { dim, C, bank, N, K }) => {
      const tops = await topInnerProducts(bank, N, normaliseRows(b.features, b.n, dim), b.n, dim, K);
      const e = logSumExp(b.logits, b.n, C);
      return perRow(b.n, (i) => {
        let s = 0;
        for (let r = 0; r < K; r++) s += tops[i * K + r];
        return (s / K) * e[i];
      });
    },
  );
}
