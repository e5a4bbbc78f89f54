// Re-scores: what a merge keeps (which methods a re-score refits: test/unit/common/contract/ood-methods.spec.ts).
import { describe, expect, it } from 'vitest';
import type { OodResults } from '../../../../common/contract/ood';
import { mergeResults, NO_SWEEP } from '../../../../main/engine/ood/results';
import { ood } from '../../common/charts/fixtures';

describe('re-score', () => {
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
