import { describe, expect, it } from 'vitest';
import { CIFAR100_MEAN, CIFAR100_STD, makeBatch } from '../../../../main/engine/data/augment';
import type { ImageSet } from '../../../../main/engine/data/load';
import { mulberry32, shuffle } from '../../../../main/engine/data/rng';
import { syntheticOodSet, syntheticSet } from '../../../../main/engine/data/synthetic';

// one image whose pixel (i, j, c) = i*8 + j + c (distinct per position, < 256)
const set: ImageSet = {
  images: Uint8Array.from(
    { length: 3072 },
    (_, p) => (Math.floor(p / 96) * 8 + (Math.floor(p / 3) % 32) + (p % 3)) & 255,
  ),
  labels: Int32Array.from([7]),
  n: 1,
  classNames: [],
};
const norm = (v: number, c: number) => (v / 255 - CIFAR100_MEAN[c]) / CIFAR100_STD[c];

describe('makeBatch', () => {
  it('normalises per channel without augmentation', () => {
    const { x, y } = makeBatch(set, [0], { augment: false });
    expect(y[0]).toBe(7);
    for (const p of [0, 1, 2, 1000, 3071]) expect(x[p]).toBeCloseTo(norm(set.images[p], p % 3), 5);
  });

  it('crops with zero padding and flips like torchvision RandomCrop(32, 4) + HorizontalFlip', () => {
    // draws: dy = floor(0.0*9)-4 = -4, dx = floor(0.99*9)-4 = +4, flip (0.1 < 0.5)
    const draws = [0.0, 0.99, 0.1];
    const { x } = makeBatch(set, [0], { augment: true, rng: () => draws.shift()! });
    // out(i, j) = img(i - 4, (31 - j) + 4): row 0..3 are padding; column j with 35 - j > 31 (j < 4) are padding
    const at = (i: number, j: number, c: number) => x[(i * 32 + j) * 3 + c];
    expect(at(2, 10, 0)).toBeCloseTo(norm(0, 0), 5);
    expect(at(10, 2, 1)).toBeCloseTo(norm(0, 1), 5);
    const src = (i: number, j: number, c: number) => set.images[(i * 32 + j) * 3 + c];
    expect(at(10, 20, 2)).toBeCloseTo(norm(src(6, 15, 2), 2), 5);
    expect(at(31, 4, 0)).toBeCloseTo(norm(src(27, 31, 0), 0), 5);
  });

  it('refuses an index outside the set', () => {
    expect(() => makeBatch(set, [1], { augment: false })).toThrow(RangeError);
  });
});

describe('rng and synthetic sets', () => {
  it('mulberry32 is deterministic and shuffle is a permutation', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    const p = shuffle(1000, mulberry32(1));
    expect([...p].sort((u, v) => u - v)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p.slice(0, 5)).not.toEqual(Uint32Array.from([0, 1, 2, 3, 4]));
  });

  it('synthetic sets are reproducible, balanced and separable by nearest class mean', () => {
    const o = { seed: 3, classes: 4, trainPerClass: 40, testPerClass: 20 };
    const tr = syntheticSet(o, 'train');
    expect(Buffer.compare(syntheticSet(o, 'train').images, tr.images)).toBe(0);
    const te = syntheticSet(o, 'test');
    expect(te.n).toBe(80);
    expect(Array.from(te.labels.slice(0, 8))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    const mu = new Float64Array(4 * 3072);
    for (let k = 0; k < tr.n; k++)
      for (let d = 0; d < 3072; d++) mu[tr.labels[k] * 3072 + d] += tr.images[k * 3072 + d] / 40;
    let ok = 0;
    for (let k = 0; k < te.n; k++) {
      const dist = [0, 1, 2, 3].map((c) => {
        let s = 0;
        for (let d = 0; d < 3072; d++) s += (te.images[k * 3072 + d] - mu[c * 3072 + d]) ** 2;
        return s;
      });
      if (dist.indexOf(Math.min(...dist)) === te.labels[k]) ok++;
    }
    expect(ok / te.n).toBeGreaterThan(0.8);
    const ood = syntheticOodSet(o);
    expect(ood.n).toBe(80);
    expect(ood.classNames.length).toBe(4);
  });
});
