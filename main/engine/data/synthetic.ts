/**
 * Synthetic 32x32 RGB sets generated from a seed, so training, OOD scoring and Neural Collapse all run offline and
 * in tests. Each in-distribution class is a coloured sinusoidal grating with its own base colour, orientation and
 * frequency; every image draws a random phase, contrast and pixel noise, so a small ResNet must learn colour and
 * orientation (not memorise pixels) and still reaches high accuracy in a few epochs. The OOD set is built from
 * other textures (noise, checkerboards, rings, blobs) that match none of the classes.
 */
import { SYNTHETIC_DEFAULTS } from '../../../common/contract/train';
import { mulberry32 } from './rng';
import type { ImageSet } from './image-set';

export interface SyntheticOptions {
  seed: number;
  classes: number;
  trainPerClass: number;
  testPerClass: number;
}

const S = 32;
const PIX = S * S * 3;

export const defaultSynthetic: SyntheticOptions = { seed: 0, ...SYNTHETIC_DEFAULTS };

interface Prototype {
  base: [number, number, number];
  tint: [number, number, number];
  cos: number;
  sin: number;
  freq: number;
}

function prototypes(o: SyntheticOptions): Prototype[] {
  const rng = mulberry32(o.seed ^ 0x5eed);
  return Array.from({ length: o.classes }, (_, c) => {
    const angle = (Math.PI * c) / o.classes + rng() * 0.2;
    const col = () => 50 + rng() * 155;
    return {
      base: [col(), col(), col()],
      tint: [rng() * 2 - 1, rng() * 2 - 1, rng() * 2 - 1],
      cos: Math.cos(angle),
      sin: Math.sin(angle),
      freq: 1.5 + ((c * 7) % 5) * 0.6 + rng() * 0.3,
    };
  });
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
/** Unit-variance, zero-mean noise (a sum of three uniforms): close enough to normal and far cheaper. */
const noise = (rng: () => number) => (rng() + rng() + rng() - 1.5) * 2;

export function syntheticSet(o: SyntheticOptions, split: 'train' | 'test'): ImageSet {
  const protos = prototypes(o);
  const per = split === 'train' ? o.trainPerClass : o.testPerClass;
  const n = per * o.classes;
  const rng = mulberry32((o.seed * 2654435761 + (split === 'train' ? 1 : 2)) >>> 0);
  const images = new Uint8Array(n * PIX);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const c = k % o.classes; // interleaved: every prefix is class-balanced
    const p = protos[c];
    labels[k] = c;
    const phase = rng() * 2 * Math.PI;
    const amp = 45 + rng() * 30;
    const shade = (rng() - 0.5) * 30;
    const base = p.base.map((b) => b + shade);
    const gain = p.tint.map((t) => amp * t);
    for (let i = 0; i < S; i++)
      for (let j = 0; j < S; j++) {
        const wave = Math.sin((2 * Math.PI * p.freq * (j * p.cos + i * p.sin)) / S + phase);
        const d = k * PIX + (i * S + j) * 3;
        for (let ch = 0; ch < 3; ch++) images[d + ch] = clamp(base[ch] + gain[ch] * wave + 12 * noise(rng));
      }
  }
  return { images, labels, n, classNames: Array.from({ length: o.classes }, (_, c) => `class-${c}`) };
}

type Painter = (i: number, j: number) => [number, number, number];

function oodPainter(kind: number, rng: () => number): Painter {
  const a = [rng() * 255, rng() * 255, rng() * 255];
  const b = [rng() * 255, rng() * 255, rng() * 255];
  const mix = (t: number): [number, number, number] =>
    [0, 1, 2].map((c) => a[c] * (1 - t) + b[c] * t) as never;
  if (kind === 0) return () => [rng() * 255, rng() * 255, rng() * 255];
  if (kind === 1) {
    const cell = 2 + Math.floor(rng() * 6);
    return (i, j) => mix((Math.floor(i / cell) + Math.floor(j / cell)) % 2);
  }
  if (kind === 2) {
    const [ci, cj, w] = [rng() * S, rng() * S, 2 + rng() * 4];
    return (i, j) => mix(0.5 + 0.5 * Math.sin(Math.hypot(i - ci, j - cj) / w));
  }
  const blobs = Array.from({ length: 3 }, () => [rng() * S, rng() * S, 3 + rng() * 6]);
  return (i, j) =>
    mix(
      Math.min(
        1,
        blobs.reduce((s, [bi, bj, r]) => s + Math.exp(-((i - bi) ** 2 + (j - bj) ** 2) / (r * r)), 0),
      ),
    );
}

/** classes x testPerClass outlier images; labels are the texture kind (see the registry's class names). */
export function syntheticOodSet(o: SyntheticOptions): ImageSet {
  const n = o.classes * o.testPerClass;
  const rng = mulberry32((o.seed * 2654435761 + 3) >>> 0);
  const images = new Uint8Array(n * PIX);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const kind = k % 4;
    labels[k] = kind;
    const paint = oodPainter(kind, rng);
    for (let i = 0; i < S; i++)
      for (let j = 0; j < S; j++) {
        const v = paint(i, j);
        const d = k * PIX + (i * S + j) * 3;
        for (let ch = 0; ch < 3; ch++) images[d + ch] = clamp(v[ch] + 8 * noise(rng));
      }
  }
  return { images, labels, n, classNames: ['noise', 'checkerboard', 'rings', 'blobs'] };
}
