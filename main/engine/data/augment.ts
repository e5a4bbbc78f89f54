/**
 * Turns uint8 images into a normalised float batch for the model. Augmentation is the standard CIFAR recipe
 * (torchvision RandomCrop(32, padding=4) + RandomHorizontalFlip, then Normalize): padding is zero in pixel space,
 * so padded pixels become -mean/std after normalisation, exactly as in the PyTorch pipelines the results are
 * compared against.
 */
import type { ImageSet } from './load';

/** Per-channel statistics of the CIFAR-100 training set (pixel values scaled to [0, 1]). */
export const CIFAR100_MEAN: [number, number, number] = [0.5071, 0.4865, 0.4409];
export const CIFAR100_STD: [number, number, number] = [0.2673, 0.2564, 0.2762];

const S = 32;
const PAD = 4;

export interface BatchOptions {
  augment: boolean;
  rng?: () => number;
  mean?: [number, number, number];
  std?: [number, number, number];
}

export function makeBatch(
  set: ImageSet,
  indices: ArrayLike<number>,
  o: BatchOptions,
): { x: Float32Array; y: Int32Array } {
  const mean = o.mean ?? set.norm?.mean ?? CIFAR100_MEAN;
  const std = o.std ?? set.norm?.std ?? CIFAR100_STD;
  const rng = o.rng ?? Math.random;
  // value(p) = (p/255 - mean) / std = p * scale + shift, per channel
  const scale = [0, 1, 2].map((c) => 1 / (255 * std[c]));
  const shift = [0, 1, 2].map((c) => -mean[c] / std[c]);
  const b = indices.length;
  const x = new Float32Array(b * S * S * 3);
  const y = new Int32Array(b);
  const img = set.images;
  for (let k = 0; k < b; k++) {
    const n = indices[k];
    if (!(n >= 0 && n < set.n)) throw new RangeError(`makeBatch: index ${n} is outside 0..${set.n - 1}.`);
    y[k] = set.labels[n];
    const src = n * S * S * 3;
    const dst = k * S * S * 3;
    let dx = 0;
    let dy = 0;
    let flip = false;
    if (o.augment) {
      dy = Math.floor(rng() * (2 * PAD + 1)) - PAD;
      dx = Math.floor(rng() * (2 * PAD + 1)) - PAD;
      flip = rng() < 0.5;
    }
    for (let i = 0; i < S; i++) {
      const si = i + dy;
      for (let j = 0; j < S; j++) {
        const sj = (flip ? S - 1 - j : j) + dx;
        const d = dst + (i * S + j) * 3;
        if (si < 0 || si >= S || sj < 0 || sj >= S) {
          x[d] = shift[0];
          x[d + 1] = shift[1];
          x[d + 2] = shift[2];
        } else {
          const s = src + (si * S + sj) * 3;
          x[d] = img[s] * scale[0] + shift[0];
          x[d + 1] = img[s + 1] * scale[1] + shift[1];
          x[d + 2] = img[s + 2] * scale[2] + shift[2];
        }
      }
    }
  }
  return { x, y };
}
