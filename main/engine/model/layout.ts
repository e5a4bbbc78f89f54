// Convolution filters between tfjs' HWIO layout (the model's and the checkpoints') and ONNX's / PyTorch's OIHW.
// Both take the HWIO shape [kh, kw, in, out]; each returns a new array.

function relayout(hwio: readonly number[], v: ArrayLike<number>, toOihw: boolean): Float32Array {
  const [kh, kw, ci, co] = hwio;
  const out = new Float32Array(v.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) {
          const a = ((h * kw + w) * ci + i) * co + o;
          const b = ((o * ci + i) * kh + h) * kw + w;
          if (toOihw) out[b] = v[a];
          else out[a] = v[b];
        }
  return out;
}

/** HWIO -> OIHW. */
export const hwioToOihw = (hwio: readonly number[], v: ArrayLike<number>) => relayout(hwio, v, true);

/** OIHW -> HWIO (hwio: the target's shape). */
export const oihwToHwio = (hwio: readonly number[], v: ArrayLike<number>) => relayout(hwio, v, false);

/** The OIHW shape of an HWIO filter. */
export const oihwShape = (hwio: readonly number[]) => [hwio[3], hwio[2], hwio[0], hwio[1]];
