// The blocked nearest-neighbour search (KNN, NNGuide) and the selection helpers against full sorts: float64 path,
// tensor paths (ONNX Runtime, and the tfjs cpu backend without it; float32 products), ties, and NumPy's percentile on random data.
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../main/engine/backend';
import { mulberry32 } from '../../../../main/engine/data/rng';
import { setOrtProductsDisabled } from '../../../../main/engine/linalg/ort-products';
import { setNeighbourTensorThreshold, topInnerProducts } from '../../../../main/engine/ood/neighbours';
import { percentile, selectInPlace, topIndices, topSum } from '../../../../main/engine/ood/shaping';

const rng = mulberry32(5);
const N = 700,
  n = 530,
  dim = 12,
  kmax = 9; // prettier-ignore (n > one block of 512)
const bank = Float32Array.from({ length: N * dim }, () => rng() * 2 - 1);
const query = Float32Array.from({ length: n * dim }, () => rng() * 2 - 1);

function naive(): number[][] {
  return Array.from({ length: n }, (_, i) => {
    const s = Array.from({ length: N }, (_, j) => {
      let d = 0;
      for (let k = 0; k < dim; k++) d += query[i * dim + k] * bank[j * dim + k];
      return d;
    });
    return s.sort((a, b) => b - a).slice(0, kmax);
  });
}

describe('topInnerProducts', () => {
  afterAll(() => setNeighbourTensorThreshold(2e7));
  const ref = naive();
  const check = (out: Float32Array, tol: number) => {
    for (let i = 0; i < n; i++)
      for (let r = 0; r < kmax; r++) expect(Math.abs(out[i * kmax + r] - ref[i][r])).toBeLessThan(tol);
  };
  it('float64 path equals a full sort of every pair', async () => {
    setNeighbourTensorThreshold(Infinity);
    check(await topInnerProducts(bank, N, query, n, dim, kmax), 1e-6);
  });
  it('tensor paths (ONNX Runtime; blocked matMul on the backend without it) agree to float32 accuracy', async () => {
    await initBackend('cpu');
    setNeighbourTensorThreshold(0);
    check(await topInnerProducts(bank, N, query, n, dim, kmax), 1e-5);
    setOrtProductsDisabled(true);
    try {
      check(await topInnerProducts(bank, N, query, n, dim, kmax), 1e-5);
    } finally {
      setOrtProductsDisabled(false);
    }
  });
  it('k = N returns every product, sorted', async () => {
    setNeighbourTensorThreshold(Infinity);
    const out = await topInnerProducts(bank.subarray(0, 5 * dim), 5, query.subarray(0, dim), 1, dim, 5);
    for (let r = 1; r < 5; r++) expect(out[r]).toBeLessThanOrEqual(out[r - 1]);
    await expect(topInnerProducts(bank, N, query, 1, dim, N + 1)).rejects.toThrow(/outside/);
  });
});

describe('selection', () => {
  it('quickselect finds every order statistic, with many ties', () => {
    const a = Float64Array.from({ length: 301 }, () => Math.floor(rng() * 20));
    const sorted = Float64Array.from(a).sort();
    for (const k of [0, 1, 7, 150, 299, 300]) expect(selectInPlace(Float64Array.from(a), k)).toBe(sorted[k]);
  });
  it('percentile equals the sort-and-interpolate definition (NumPy linear)', () => {
    const a = Array.from({ length: 1001 }, () => rng() * 10);
    const s = [...a].sort((x, y) => x - y);
    for (const p of [0, 12.5, 50, 85, 99, 100]) {
      const pos = (p / 100) * (a.length - 1);
      const lo = Math.floor(pos);
      const ref = s[lo] + (s[Math.min(s.length - 1, lo + 1)] - s[lo]) * (pos - lo);
      expect(percentile(a, p)).toBeCloseTo(ref, 12);
    }
  });
  it('top-k indices keep the lower index among ties; top-k sums equal a sort', () => {
    const x = [9, 3, 1, 3, 3, 0];
    const idx = new Int32Array(3);
    topIndices(x, 1, 5, 3, new Float64Array(5), idx); // row x[1..6) = 3 1 3 3 0
    expect(Array.from(idx)).toEqual([0, 2, 3]);
    const a = Array.from({ length: 64 }, () => Math.floor(rng() * 9));
    for (const k of [0, 1, 5, 63, 64]) {
      const ref = [...a].sort((p, q) => q - p).slice(0, k).reduce((s, v) => s + v, 0); // prettier-ignore
      expect(topSum(a, 0, 64, k, new Float64Array(64))).toBe(ref);
    }
  });
});
