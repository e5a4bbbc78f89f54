// Class statistics, hand-worked, and the one treatment of empty classes that the detectors and NC share.
//   x = (0,0), (2,0) in class 0; (1,3) in class 2; class 1 empty (C = 3, D = 2, n = 3)
//   counts (2, 0, 1); mu_0 = (1,0), mu_2 = (1,3); global mean over samples (1,1), over present class means (1,1.5)
//   Sw = (x_0-mu_0)(..)' + (x_1-mu_0)(..)' = diag(2, 0); total = Sw + 2 (0,-1)(0,-1)' + 1 (0,2)(0,2)' = diag(2, 6)
import { describe, expect, it } from 'vitest';
import { classStats, totalScatter, withinScatter } from '../../../../main/engine/linalg/class-stats';
import { ncClassStats } from '../../../../main/engine/nc/core';

const x = Float64Array.from([0, 0, 2, 0, 1, 3]);
const labels = Int32Array.from([0, 0, 2]);

describe('class statistics', () => {
  it('counts, means and the global mean of a hand-worked example; an empty class is named and holds the global mean', () => {
    const st = classStats(x, labels, 3, 2, 3);
    expect(Array.from(st.counts)).toEqual([2, 0, 1]);
    expect(st.empty).toEqual([1]);
    expect(Array.from(st.globalMean)).toEqual([1, 1]);
    expect(Array.from(st.means)).toEqual([1, 0, 1, 1, 1, 3]);
    expect(Array.from(st.centred)).toEqual([0, -1, 0, 0, 0, 2]);
  });

  it("'classes' centring averages the present class means only", () => {
    const st = classStats(x, labels, 3, 2, 3, { centring: 'classes' });
    expect(Array.from(st.globalMean)).toEqual([1, 1.5]);
    expect(Array.from(st.means.subarray(2, 4))).toEqual([1, 1.5]);
  });

  it('within and total scatter; the empty class adds nothing', async () => {
    const st = classStats(x, labels, 3, 2, 3);
    const sw = await withinScatter(x, labels, st);
    expect(Array.from(sw)).toEqual([2, 0, 0, 0]);
    expect(Array.from(totalScatter(sw, st))).toEqual([2, 0, 0, 6]);
  });

  it('refuses a label out of range and mis-sized rows', () => {
    expect(() => classStats(x, Int32Array.from([0, 3, 2]), 3, 2, 3)).toThrow(
      /Label 3 of sample 1 is outside 0..2/,
    );
    expect(() => classStats(x, labels, 3, 3, 3)).toThrow(/hold 6 values, not 3 x 3/);
  });

  it('Neural Collapse refuses statistics with an empty class (it restricts to the present classes first)', () => {
    expect(() => ncClassStats({ features: x, labels, n: 3 }, 2, 3)).toThrow(/Class 1 has no samples/);
    expect(ncClassStats({ features: x, labels: Int32Array.from([0, 1, 1]), n: 3 }, 2, 2).empty).toEqual([]);
  });
});
