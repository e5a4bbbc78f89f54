// A subset of an image set by index (the training images less the validation split, or the split itself).
import type { ImageSet } from './load';

const PIX = 32 * 32 * 3;

export function subsetImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const n = indices.length;
  const images = new Uint8Array(n * PIX);
  const labels = new Int32Array(n);
  const coarse = set.coarseLabels ? new Int32Array(n) : undefined;
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < set.n)) throw new RangeError(`subsetImages: index ${i} is outside 0..${set.n - 1}.`);
    images.set(set.images.subarray(i * PIX, (i + 1) * PIX), k * PIX);
    labels[k] = set.labels[i];
    if (coarse) coarse[k] = set.coarseLabels![i];
  }
  return { ...set, images, labels, n, ...(coarse && { coarseLabels: coarse }) };
}
