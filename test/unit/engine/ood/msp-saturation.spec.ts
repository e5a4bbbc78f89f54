// Issue 18 item 16: MSP of confident logits must not saturate. exp(max - logsumexp) rounded at the ulp of the max
// logit (7e-15 at 40), tying samples that float64 softmax tells apart; 1 / sum exp(l - max) keeps them apart.
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../../../main/engine/ood/registry';

const C = 10;
const n = 1000;
// Row i: one logit of 40, nine others 33..37 below it (the gap varies by row), as a confident network gives.
const logits = new Float32Array(n * C);
for (let i = 0; i < n; i++) {
  const gap = 33 + ((i * 7919) % 1000) / 250;
  for (let c = 0; c < C; c++) logits[i * C + c] = c === i % C ? 40 : 40 - gap - c * 0.01;
}
// Reference, computed another way: r = the other classes' mass relative to the top one, summed without the top
// term (each exp is exact to a relative 1e-16), and MSP = 1 / (1 + r).
const r = Array.from({ length: n }, (_, i) => {
  const row = Array.from(logits.subarray(i * C, (i + 1) * C));
  const top = Math.max(...row);
  return row.filter((_, c) => c !== i % C).reduce((s, l) => s + Math.exp(l - top), 0);
});

describe('MSP with confident logits', () => {
  it('matches 1 / (1 + r) to float64 rounding and orders samples as r does (no ties at 1.0)', async () => {
    const msp = createDetector('msp', {});
    await msp.fit(
      { features: new Float32Array(n), logits, labels: new Int32Array(n), n, dim: 1, classes: C },
      new Float32Array(C),
      new Float32Array(C),
    );
    const s = await msp.score({ features: new Float32Array(n), logits, n });
    // 1 ulp near 1 (the exp(max - logsumexp) form was off by up to 7e-15)
    for (let i = 0; i < n; i++) expect(Math.abs(s[i] - 1 / (1 + r[i]))).toBeLessThanOrEqual(2.3e-16);
    expect(s.filter((v) => v === 1).length).toBe(0);
    // As many distinct values as float64 can hold between 1 - 4e-14 and 1 (the exp(max - lse) form gave a few).
    const levels = new Set(r.map((v) => 1 / (1 + v))).size;
    expect(levels).toBeGreaterThan(150);
    expect(new Set(s).size).toBe(levels);
    // The order of scores is the reverse order of r wherever r differs by more than float64 can resolve near 1.
    const byR = [...r.keys()].sort((a, b) => r[a] - r[b]);
    for (let k = 1; k < n; k++)
      if (r[byR[k]] - r[byR[k - 1]] > 1e-15) expect(s[byR[k]]).toBeLessThan(s[byR[k - 1]]);
  });
});
