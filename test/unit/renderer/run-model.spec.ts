// The analysis pages offer runs with a model: trained for an epoch at least, or imported (which trains none).
import { describe, expect, it } from 'vitest';
import { hasModel } from '../../../renderer/src/lib/run-model';

describe('hasModel', () => {
  it('takes a run trained for an epoch or imported, not a run before its first epoch', () => {
    expect(hasModel({ epochsDone: 1, kind: 'trained' })).toBe(true);
    expect(hasModel({ epochsDone: 0, kind: 'imported' })).toBe(true);
    expect(hasModel({ epochsDone: 0, kind: 'trained' })).toBe(false);
    expect(hasModel({ epochsDone: 0 })).toBe(false);
  });
});
