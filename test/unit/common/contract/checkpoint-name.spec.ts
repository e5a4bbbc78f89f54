import { describe, expect, it } from 'vitest';
import {
  checkpointEpoch,
  checkpointName,
  legacyEpochName,
  parseCheckpointName,
} from '../../../../common/contract/checkpoint-name';

describe('checkpoint names', () => {
  it('names epochs zero-padded to three digits, and best and last as themselves', () => {
    expect(checkpointName(5)).toBe('epoch-005');
    expect(checkpointName(42)).toBe('epoch-042');
    expect(checkpointName(1000)).toBe('epoch-1000');
    expect(checkpointName('best')).toBe('best');
    expect(checkpointName('last')).toBe('last');
  });

  it('parses what it names, and the unpadded spelling of older feature caches', () => {
    for (const c of [1, 7, 99, 100, 1234, 'best', 'last'] as const)
      expect(parseCheckpointName(checkpointName(c))).toBe(c);
    expect(parseCheckpointName('epoch-5')).toBe(5);
    expect(parseCheckpointName(legacyEpochName(12)!)).toBe(12);
    expect(legacyEpochName('best')).toBeNull();
  });

  it('refuses names that are not checkpoints', () => {
    for (const n of [
      'epoch-',
      'epoch-000',
      'epoch-5a',
      'epoch--5',
      '.epoch-004.tmp',
      'epoch-004.unusable-1',
      'Best',
    ])
      expect(parseCheckpointName(n), n).toBeNull();
  });

  it('reads the epoch of an epoch name only', () => {
    expect(checkpointEpoch('epoch-010')).toBe(10);
    expect(checkpointEpoch('best')).toBeNull();
    expect(checkpointEpoch('features')).toBeNull();
  });
});
