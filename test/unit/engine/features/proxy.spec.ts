// The patch-shuffled OOD proxy: every image is an ID test image with its sixteen 8x8 patches permuted, seeded, its
// first images independent of how many are asked for (ODIN rebuilds the proxy's rows from their number), and
// normalised as the set it comes from.
import { describe, expect, it } from 'vitest';
import type { ImageSet } from '../../../../main/engine/data/load';
import { mulberry32 } from '../../../../main/engine/data/rng';
import { patchShuffled } from '../../../../main/engine/features/proxy';

const PIX = 32 * 32 * 3;
const rng = mulberry32(4);
const set: ImageSet = {
  images: Uint8Array.from({ length: 10 * PIX }, () => Math.floor(rng() * 256)),
  labels: new Int32Array(10),
  n: 10,
  classNames: ['a'],
  norm: { mean: [0.1, 0.2, 0.3], std: [0.4, 0.5, 0.6] },
};

/** The 16 patches of image i of s, each as a string of its bytes. */
function patches(s: { images: Uint8Array }, i: number): string[] {
  const out: string[] = [];
  for (let py = 0; py < 4; py++)
    for (let px = 0; px < 4; px++) {
      const bytes: number[] = [];
      for (let r = 0; r < 8; r++) {
        const a = i * PIX + ((py * 8 + r) * 32 + px * 8) * 3;
        bytes.push(...s.images.subarray(a, a + 24));
      }
      out.push(bytes.join());
    }
  return out;
}

describe('patchShuffled', () => {
  it('permutes the 8x8 patches of distinct ID images, seeded, the first ones independent of the count', () => {
    const p = patchShuffled(set, 6, 7);
    expect(p.n).toBe(6);
    const sources = Array.from({ length: p.n }, (_, i) => {
      const mine = [...patches(p, i)].sort().join('|');
      return Array.from({ length: set.n }, (_, j) => j).find(
        (j) => [...patches(set, j)].sort().join('|') === mine,
      );
    });
    expect(sources.every((j) => j !== undefined)).toBe(true);
    expect(new Set(sources).size).toBe(6);
    expect(
      Array.from({ length: p.n }, (_, i) => patches(p, i).join() !== patches(set, sources[i]!).join()),
    ).toEqual(Array(6).fill(true));
    expect(patchShuffled(set, 6, 7).images).toEqual(p.images);
    expect(patchShuffled(set, 3, 7).images).toEqual(p.images.subarray(0, 3 * PIX));
    expect(patchShuffled(set, 50, 7).n).toBe(10);
  });

  it("keeps the set's normalisation statistics", () => {
    expect(patchShuffled(set, 2).norm).toBe(set.norm);
    expect(patchShuffled({ ...set, norm: undefined }, 2).norm).toBeUndefined();
  });
});
