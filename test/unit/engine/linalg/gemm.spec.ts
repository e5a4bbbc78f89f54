// The tensor path of the heavy products (float32 chunks summed in float64) against the exact float64 path.
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../main/engine/backend';
import { mulberry32 } from '../../../../main/engine/data/rng';
import { projectChunks, scatter, setTensorThreshold } from '../../../../main/engine/linalg/gemm';

const rng = mulberry32(11);
const n = 1200, dim = 130, R = 7; // prettier-ignore
const x = Float32Array.from({ length: n * dim }, () => rng() * 4 + 1);
const shift = Float64Array.from({ length: 2 * dim }, () => rng() * 4 + 1);
const shiftIndex = Int32Array.from({ length: n }, (_, i) => i % 2);
const A = Float64Array.from({ length: R * dim }, () => rng() - 0.5);
const src = { x, n, dim, shift, shiftIndex };

const maxDiff = (a: Float64Array, b: Float64Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

async function both<T>(f: () => Promise<T>): Promise<[T, T]> {
  setTensorThreshold(Infinity);
  const exact = await f();
  setTensorThreshold(0);
  const tensors = await f();
  return [exact, tensors];
}

describe('gemm tensor path', () => {
  afterAll(() => setTensorThreshold(2e7));
  it('scatter matches float64 to float32 accuracy and is exactly symmetric', async () => {
    await initBackend('cpu');
    const [e, t] = await both(() => scatter(src));
    let scale = 0;
    for (let i = 0; i < dim; i++) scale = Math.max(scale, e[i * dim + i]);
    expect(maxDiff(e, t)).toBeLessThan(1e-5 * scale);
    let asym = 0;
    for (let a = 0; a < dim; a++)
      for (let b = 0; b < a; b++) asym = Math.max(asym, Math.abs(t[a * dim + b] - t[b * dim + a]));
    expect(asym).toBe(0);
  });
  it('projections match float64 to float32 accuracy', async () => {
    await initBackend('cpu');
    const collect = async () => {
      const out = new Float64Array(n * R);
      await projectChunks(src, A, R, (start, count, y) => out.set(Array.from(y), start * R));
      return out;
    };
    const [e, t] = await both(collect);
    expect(maxDiff(e, t)).toBeLessThan(1e-4);
  });
});
