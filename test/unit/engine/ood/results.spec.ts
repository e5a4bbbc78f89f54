// Re-scores: which methods a parameter change refits (its owner only), and what a merge keeps.
import { describe, expect, it } from 'vitest';
import type { OodResults } from '../../../../common/contract/ood';
import { mergeResults, methodsFor, NO_SWEEP } from '../../../../main/engine/ood/results';
import { ood } from '../../common/charts/fixtures';

describe('re-score', () => {
  it('refits only the owner of each parameter given', () => {
    expect(methodsFor({ knnK: 100 })).toEqual(['knn']);
    expect(methodsFor({ genGamma: 1, genM: 10 })).toEqual(['gen']);
    expect(methodsFor({ T: 2, odinEps: 0.001 })).toEqual(['energy', 'odin']);
    expect(methodsFor({})).toEqual([]);
  });

  it('a merge without a sweep keeps how the other parameters were picked', () => {
    const prev: OodResults = { ...ood, selection: { heldOut: 'h', proxy: 'p', validationOod: 'tin' } };
    const next: OodResults = {
      ...ood,
      methods: [ood.methods[1]],
      selection: { heldOut: NO_SWEEP, proxy: NO_SWEEP, validationOod: NO_SWEEP },
    };
    const m = mergeResults(prev, next);
    expect(m.selection).toEqual(prev.selection);
    expect(m.methods.map((x) => x.method)).toEqual(ood.methods.map((x) => x.method));
    const swept = mergeResults(prev, { ...next, selection: { heldOut: 'h2', proxy: 'p2' } });
    expect(swept.selection).toEqual({ heldOut: 'h2', proxy: 'p2' });
  });
});
