// Row types of the shared numerics: a feature matrix is n rows of length dim, row-major, in one flat typed array.
// Float32 as read from .npy files or backends, float64 where the engine computed it; every kernel reads both.

export type Rows = Float32Array | Float64Array;

/** n rows of length dim; each row has `shift` (or its row shiftIndex[i], a C x dim matrix) subtracted first. */
export interface RowSource {
  x: Rows;
  n: number;
  dim: number;
  shift?: Float64Array;
  shiftIndex?: Int32Array;
}
