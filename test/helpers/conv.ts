// Convolution cases shared by the wasm kernel specs.

/** A convolution's padding as tf.conv2d takes it: 'same', 'valid' or explicit NHWC pairs. */
export type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** One pixel of padding on every side. */
export const p1: Pad = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];
