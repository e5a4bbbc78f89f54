// The OOD proxy used to pick hyper-parameters without touching the test OOD sets: ID test images cut into 8x8
// patches that are shuffled within each image. Colour statistics stay ID-like while the object structure is gone,
// so it resembles neither SVHN nor DTD specifically. Seeded, so the proxy is the same on every run; the first k
// images do not depend on count (ODIN rebuilds the proxy's rows from their number). The images keep the set's
// normalisation statistics: the network sees them as it sees ID test.
import type { ImageSet } from '../data/load';
import { mulberry32, shuffle } from '../data/rng';

const S = 32;
const P = 8;

export function patchShuffled(set: ImageSet, count: number, seed = 0): ImageSet {
  const rng = mulberry32(seed ^ 0x9e3779b9);
  const n = Math.min(count, set.n);
  const pick = shuffle(set.n, rng).subarray(0, n);
  const images = new Uint8Array(n * S * S * 3);
  const per = (S / P) * (S / P);
  for (let i = 0; i < n; i++) {
    const src = pick[i] * S * S * 3;
    const dst = i * S * S * 3;
    const perm = shuffle(per, rng);
    for (let q = 0; q < per; q++) {
      const from = perm[q];
      const fy = Math.floor(from / (S / P)) * P, fx = (from % (S / P)) * P; // prettier-ignore
      const ty = Math.floor(q / (S / P)) * P, tx = (q % (S / P)) * P; // prettier-ignore
      for (let r = 0; r < P; r++) {
        const a = src + ((fy + r) * S + fx) * 3;
        images.set(set.images.subarray(a, a + P * 3), dst + ((ty + r) * S + tx) * 3);
      }
    }
  }
  return {
    images,
    labels: new Int32Array(n).fill(-1),
    n,
    classNames: set.classNames,
    ...(set.norm ? { norm: set.norm } : {}),
  };
}
