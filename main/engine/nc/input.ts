// What the Neural Collapse metrics take: one model's classifier and its labelled penultimate features (metrics.ts),
// in its own module so that present.ts (restricting to the present classes) and metrics.ts do not import each other.
import type { Rows } from '../linalg/rows';
import type { Centring } from '../linalg/class-stats';
import type { LabelledRows } from './core';

export interface NcSet extends LabelledRows {
  /** n x C; computed as features W' + b when absent. */
  logits?: Rows;
}

/** Structurally a subset of features/store.ts RunFeatures, so a loaded feature dir can be passed as is. */
export interface NcInput {
  W: Rows;
  b: Rows;
  C: number;
  D: number;
  idTrain: NcSet;
  idTest: NcSet;
  ood?: Record<string, LabelledRows>;
  /** Centring of the class means (linalg/class-stats.ts); 'classes' also takes the unbiased std in equinorm, as Papyan's code. */
  centring?: Centring;
}
