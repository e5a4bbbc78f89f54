import type { NormStats } from './norm';

/** Images as the engine holds them; main/engine/data/load.ts makes them (and re-exports this type). */
export interface ImageSet {
  /** N*32*32*3 bytes, NHWC, RGB. */
  images: Uint8Array;
  labels: Int32Array;
  n: number;
  classNames: string[];
  /** CIFAR-100 only: the 20 superclass labels and names. */
  coarseLabels?: Int32Array;
  coarseClassNames?: string[];
  /** Per-channel statistics inputs are normalised with (an ID set's training split); CIFAR-100's when absent. */
  norm?: NormStats;
}
