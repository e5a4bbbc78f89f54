// ONNX Runtime's products (Gemm + TopK, and Gemm of centred rows, on the CPU provider) against float64 sums and
// full sorts, in blocks; KNN through it against KNN through the WebAssembly fallback and against KNN's float64 formula.
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../main/engine/backend';
import { mulberry32 } from '../../../../main/engine/data/rng';
import {
  ortProductsAvailable,
  ortProjectChunks,
  ortTopInnerProducts,
  setOrtProductsDisabled,
} from '../../../../main/engine/linalg/ort-products';
import { createKnn } from '../../../../main/engine/ood/knn';
import { setNeighbourTensorThreshold } from '../../../../main/engine/ood/neighbours';

const rng = mulberry32(11);
const rows = (count: number, dim: number) => Float32Array.from({ length: count * dim }, () => rng() * 2 - 1);

describe('ortTopInnerProducts', () => {
  it('loads here (onnxruntime-node is a dependency with a binding for this platform)', async () => {
    expect(await ortProductsAvailable()).toBe(true);
  });

  it('equals a full sort of every pair, over several blocks, for float32 and float64 queries', async () => {
    const [N, n, dim, kmax] = [300, 70, 9, 12];
    const bank = rows(N, dim);
    const query = rows(n, dim);
    for (const q of [query, Float64Array.from(query)]) {
      const out = (await ortTopInnerProducts(bank, N, q, n, dim, kmax, 16))!;
      expect(out.length).toBe(n * kmax);
      for (let i = 0; i < n; i++) {
        const all = Array.from({ length: N }, (_, j) => {
          let d = 0;
          for (let k = 0; k < dim; k++) d += query[i * dim + k] * bank[j * dim + k];
          return d;
        }).sort((a, b) => b - a);
        for (let r = 0; r < kmax; r++) expect(Math.abs(out[i * kmax + r] - all[r])).toBeLessThan(1e-5);
      }
    }
  });

  it('returns null (false) when switched off, so callers fall back', async () => {
    setOrtProductsDisabled(true);
    try {
      expect(await ortTopInnerProducts(rows(4, 2), 4, rows(1, 2), 1, 2, 1)).toBeNull();
      expect(await ortProjectChunks(rows(1, 2), 1, 2, undefined, new Float64Array(2), 1, () => {})).toBe(
        false,
      );
      expect(await ortProductsAvailable()).toBe(false);
    } finally {
      setOrtProductsDisabled(false);
    }
  });
});

describe('ortProjectChunks', () => {
  it('equals (x - shift) . A_r in float64 to float32 accuracy, chunk by chunk in order', async () => {
    const [n, dim, R] = [5000, 33, 6]; // more than one chunk of 4096 rows
    const x = rows(n, dim).map((v) => v * 4 + 3);
    const A = Float64Array.from(rows(R, dim));
    for (const shift of [undefined, Float64Array.from({ length: dim }, () => rng() * 4 + 3)]) {
      const out = new Float64Array(n * R);
      let next = 0;
      expect(
        await ortProjectChunks(x, n, dim, shift, A, R, (start, count, y) => {
          expect(start).toBe(next);
          next += count;
          out.set(y, start * R);
        }),
      ).toBe(true);
      expect(next).toBe(n);
      let worst = 0;
      for (let i = 0; i < n; i++)
        for (let r = 0; r < R; r++) {
          let d = 0;
          for (let k = 0; k < dim; k++) d += A[r * dim + k] * (x[i * dim + k] - (shift ? shift[k] : 0));
          worst = Math.max(worst, Math.abs(out[i * R + r] - d));
        }
      expect(worst).toBeLessThan(1e-4);
    }
  });
});

describe('KNN through ONNX Runtime and through the WebAssembly fallback', () => {
  afterAll(() => {
    setNeighbourTensorThreshold(2e7);
    setOrtProductsDisabled(false);
  });
  const [N, n, dim, C, K] = [400, 90, 16, 4, 5];
  const train = {
    features: rows(N, dim).map(Math.abs),
    logits: new Float32Array(N * C),
    labels: Int32Array.from({ length: N }, (_, i) => i % C),
    n: N,
    dim,
    classes: C,
  };
  const batch = { features: rows(n, dim).map(Math.abs), logits: new Float32Array(n * C), n };
  batch.features.fill(0, 0, dim); // a zero row: compared as the zero vector
  /** -(K-th smallest ||z - z_j||^2), z = h / ||h||, in float64. */
  const reference = (i: number) => {
    const unit = (x: Float32Array, r: number) => {
      const v = Array.from(x.subarray(r * dim, (r + 1) * dim), Number);
      const s = Math.hypot(...v);
      return v.map((a) => (s > 0 ? a / s : 0));
    };
    const z = unit(batch.features, i);
    const d = Array.from({ length: N }, (_, j) =>
      unit(train.features, j).reduce((s, v, k) => s + (v - z[k]) ** 2, 0),
    );
    return -d.sort((a, b) => a - b)[K - 1];
  };
  const scores = async (ort: boolean) => {
    setOrtProductsDisabled(!ort);
    const det = createKnn({ knnK: K });
    await det.fit({ ...train }, new Float32Array(C * dim), new Float32Array(C));
    return det.score({ ...batch, features: Float32Array.from(batch.features) });
  };

  it('both paths give the same scores, and both equal the float64 formula', async () => {
    await initBackend('wasm');
    setNeighbourTensorThreshold(0); // every product takes the large-work path
    const viaOrt = await scores(true);
    const viaWasm = await scores(false);
    for (let i = 0; i < n; i++) {
      const ref = reference(i);
      expect(Math.abs(viaOrt[i] - viaWasm[i]), `row ${i}`).toBeLessThan(1e-5);
      expect(Math.abs(viaOrt[i] - ref), `row ${i}`).toBeLessThan(1e-5);
      expect(Math.abs(viaWasm[i] - ref), `row ${i}`).toBeLessThan(1e-5);
    }
  });
});
