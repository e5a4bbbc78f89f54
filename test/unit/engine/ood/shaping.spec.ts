// The percentile hyper-parameter of the activation-shaping detectors: one range, one message.
import { describe, expect, it } from 'vitest';
import { createAsh } from '../../../../main/engine/ood/ash';
import { createDice } from '../../../../main/engine/ood/dice';
import { createReact } from '../../../../main/engine/ood/react';
import { createScale } from '../../../../main/engine/ood/scale';
import { percentileParam } from '../../../../main/engine/ood/shaping';

describe('percentileParam', () => {
  it('accepts 0..100 (ASH: below 100, which would keep no activation) and names the method otherwise', () => {
    expect(percentileParam('X', 0)).toBe(0);
    expect(percentileParam('X', 100)).toBe(100);
    expect(() => percentileParam('X', 100, true)).toThrow(
      'X: the percentile must be in 0..100 (not 100) (got 100).',
    );
    expect(() => percentileParam('X', NaN)).toThrow(RangeError);
    expect(() => createReact({ reactP: 101 })).toThrow(
      /^ReAct: the percentile must be in 0..100 \(got 101\)/,
    );
    expect(() => createScale({ scaleP: -1 })).toThrow(/^SCALE: /);
    expect(() => createDice({ diceP: 120 })).toThrow(/^DICE: /);
    expect(() => createAsh({ ashP: 100 })).toThrow(/^ASH: .*not 100/);
    expect(createReact({ reactP: 100 }).params).toEqual({ reactP: 100 });
  });
});
