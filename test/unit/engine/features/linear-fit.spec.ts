// The least-squares head of an imported model: logits made by a known linear map are fitted back to that map, and a
// non-linear head reports its residual.
import { describe, expect, it } from 'vitest';
import { fitLinearHead } from '../../../../main/engine/features/linear-fit';
import { randomT64 } from '../../../helpers/ref64';

const n = 200;
const D = 6;
const C = 4;
// ReLU-like features with a large shared offset (the case the centring is there for)
const H = Float32Array.from(randomT64([n, D], 3).data, (v) => 5 + Math.abs(v));
const W = Float32Array.from(randomT64([C, D], 4).data);
const b = Float32Array.from(randomT64([C], 5).data);

function logits(head: (z: number) => number): Float32Array {
  const L = new Float32Array(n * C);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < C; c++) {
      let s = b[c];
      for (let k = 0; k < D; k++) s += H[i * D + k] * W[c * D + k];
      L[i * C + c] = head(s);
    }
  return L;
}

describe('fitLinearHead', () => {
  it('recovers W and b from the logits of a linear head', () => {
    const fit = fitLinearHead(
      H,
      logits((z) => z),
      n,
      D,
      C,
    );
    fit.W.forEach((v, i) => expect(Math.abs(v - W[i])).toBeLessThan(2e-3));
    fit.b.forEach((v, c) => expect(Math.abs(v - b[c])).toBeLessThan(2e-2));
    expect(fit.residual).toBeLessThan(1e-5);
  });

  it('says how far a non-linear head is from linear', () => {
    expect(
      fitLinearHead(
        H,
        logits((z) => z * z),
        n,
        D,
        C,
      ).residual,
    ).toBeGreaterThan(1e-3);
  });
});
