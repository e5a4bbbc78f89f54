import { describe, expect, it } from 'vitest';
import {
  epochIndices,
  stepsPerEpoch,
  streamSeed,
  suggestedMicroBatch,
  testIndices,
  trainValSplit,
} from '../../../../main/engine/train/order';

const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const all = (n: number) => Uint32Array.from(range(n));

describe('data order', () => {
  it('each epoch is a permutation that depends only on (seed, epoch)', () => {
    const c = { seed: 7, samplesPerEpoch: undefined };
    const a = epochIndices(c, all(500), 3);
    expect(sorted(a)).toEqual(range(500));
    expect(Array.from(epochIndices(c, all(500), 3))).toEqual(Array.from(a)); // a resumed epoch sees the same order
    expect(Array.from(epochIndices(c, all(500), 4))).not.toEqual(Array.from(a));
    expect(Array.from(epochIndices({ seed: 8 }, all(500), 3))).not.toEqual(Array.from(a));
  });

  it('samplesPerEpoch draws a fresh subset of distinct images', () => {
    const a = epochIndices({ seed: 1, samplesPerEpoch: 100 }, all(1000), 0);
    const b = epochIndices({ seed: 1, samplesPerEpoch: 100 }, all(1000), 1);
    expect(a.length).toBe(100);
    expect(new Set(a).size).toBe(100);
    expect(sorted(a)).not.toEqual(sorted(b));
  });

  it('the validation split is a fixed, seeded share of the training set that is never trained on', () => {
    const s = trainValSplit({ seed: 4, valFraction: 0.1 }, 1000);
    expect(s.val.length).toBe(100);
    expect(s.train.length).toBe(900);
    expect(sorted([...s.train, ...s.val])).toEqual(range(1000)); // disjoint, and together the whole set
    expect(Array.from(s.val)).toEqual(sorted(s.val));
    expect(Array.from(trainValSplit({ seed: 4, valFraction: 0.1 }, 1000).val)).toEqual(Array.from(s.val));
    expect(Array.from(trainValSplit({ seed: 5, valFraction: 0.1 }, 1000).val)).not.toEqual(Array.from(s.val));
    const held = new Set(s.val);
    for (let e = 0; e < 5; e++) {
      const idx = epochIndices({ seed: 4 }, s.train, e);
      expect(idx.length).toBe(900);
      expect(Array.from(idx).some((i) => held.has(i))).toBe(false);
    }
    expect(trainValSplit({ seed: 4, valFraction: 0 }, 10)).toEqual({
      train: all(10),
      val: new Uint32Array(0),
    });
  });

  it('drops the last partial batch', () => {
    expect(stepsPerEpoch({ batchSize: 128 }, 50_000)).toBe(390); // 50000 / 128 = 390.6
    expect(stepsPerEpoch({ batchSize: 64, samplesPerEpoch: 5000 }, 50_000)).toBe(78); // 5000 / 64 = 78.1
    expect(stepsPerEpoch({ batchSize: 64 }, 10)).toBe(1); // fewer images than a batch: one short step
  });

  it('the test subset is fixed, sorted and distinct', () => {
    const t = testIndices({ seed: 3, testSamples: 50 }, 400);
    expect(t.length).toBe(50);
    expect(Array.from(t)).toEqual(sorted(t));
    expect(new Set(t).size).toBe(50);
    expect(Array.from(testIndices({ seed: 3, testSamples: 50 }, 400))).toEqual(Array.from(t));
    expect(Array.from(testIndices({ seed: 3 }, 5))).toEqual(range(5));
  });

  it('stream seeds differ by purpose and epoch', () => {
    const s = new Set(
      [0, 1, 2].flatMap((e) => (['order', 'augment', 'test'] as const).map((p) => streamSeed(0, e, p))),
    );
    expect(s.size).toBe(9);
  });
});

describe('suggestedMicroBatch', () => {
  it('splits only wide nets on wasm whose config leaves it unset', () => {
    expect(suggestedMicroBatch({ width: 64, batchSize: 128 }, 'wasm')).toBe(32);
    expect(suggestedMicroBatch({ width: 64, batchSize: 128, microBatch: 16 }, 'wasm')).toBeUndefined();
    expect(suggestedMicroBatch({ width: 64, batchSize: 128 }, 'webgpu')).toBeUndefined();
    expect(suggestedMicroBatch({ width: 8, batchSize: 64 }, 'wasm')).toBeUndefined();
  });
});
