/**
 * Float64 reference implementations of the operations the training step differentiates through, written
 * directly from their definitions (plain loops, no tfjs), and central finite differences over them. They are
 * the independent side of the gradient checks: tfjs has no float64 dtype, so "another backend" would share the
 * same registered gradients and could not catch a wrong one (a Mean gradient 256 times too large once passed every
 * backend-against-cpu test).
 * Layouts follow the engine: activations NHWC, filters HWIO (kh, kw, in, out), classifier rows (classes, features).
 */
export interface T64 {
  shape: number[];
  data: Float64Array;
}

export function t64(shape: number[], data?: ArrayLike<number>): T64 {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  if (data) out.set(Array.from(data).slice(0, size));
  return { shape, data: out };
}

/** Deterministic values in [-1, 1) (a small LCG; the tests need variety, not quality). */
export function randomT64(shape: number[], seed: number, scale = 1, offset = 0): T64 {
  const t = t64(shape);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < t.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    t.data[i] = offset + scale * ((s / 2 ** 32) * 2 - 1);
  }
  return t;
}

/** Convolution, NHWC x HWIO, stride s, symmetric zero padding p (PyTorch's Conv2d semantics). */
export function conv2d64(x: T64, w: T64, stride: number, pad: number): T64 {
  const [n, h, wd, cin] = x.shape;
  const [kh, kw, wc, cout] = w.shape;
  if (wc !== cin) throw new Error('conv2d64: channel mismatch');
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((wd + 2 * pad - kw) / stride) + 1;
  const y = t64([n, oh, ow, cout]);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < cout; o++) {
          let acc = 0;
          for (let u = 0; u < kh; u++) {
            const si = i * stride + u - pad;
            if (si < 0 || si >= h) continue;
            for (let v = 0; v < kw; v++) {
              const sj = j * stride + v - pad;
              if (sj < 0 || sj >= wd) continue;
              for (let c = 0; c < cin; c++)
                acc +=
                  x.data[((b * h + si) * wd + sj) * cin + c] * w.data[((u * kw + v) * cin + c) * cout + o];
            }
          }
          y.data[((b * oh + i) * ow + j) * cout + o] = acc;
        }
  return y;
}

/** Training-mode batch norm over all but the last axis, biased variance, eps 1e-5 (PyTorch's BatchNorm2d). */
export function batchNorm64(x: T64, gamma: T64, beta: T64, eps = 1e-5): T64 {
  const c = x.shape[x.shape.length - 1];
  const m = x.data.length / c;
  const mean = new Float64Array(c);
  const v = new Float64Array(c);
  for (let i = 0; i < x.data.length; i++) mean[i % c] += x.data[i] / m;
  for (let i = 0; i < x.data.length; i++) v[i % c] += (x.data[i] - mean[i % c]) ** 2 / m;
  const y = t64(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    const k = i % c;
    y.data[i] = ((x.data[i] - mean[k]) / Math.sqrt(v[k] + eps)) * gamma.data[k] + beta.data[k];
  }
  return y;
}

export function relu64(x: T64): T64 {
  return { shape: x.shape, data: x.data.map((v) => (v > 0 ? v : 0)) };
}

/** a + b, with b broadcast along the leading axes when it has fewer elements (a bias). */
export function add64(a: T64, b: T64): T64 {
  const out = t64(a.shape);
  for (let i = 0; i < a.data.length; i++) out.data[i] = a.data[i] + b.data[i % b.data.length];
  return out;
}

/** Mean or sum of an NHWC tensor over H and W: (N, C). */
export function spatialReduce64(x: T64, op: 'mean' | 'sum'): T64 {
  const [n, h, w, c] = x.shape;
  const y = t64([n, c]);
  const k = op === 'mean' ? h * w : 1;
  for (let b = 0; b < n; b++)
    for (let p = 0; p < h * w; p++)
      for (let ch = 0; ch < c; ch++) y.data[b * c + ch] += x.data[(b * h * w + p) * c + ch] / k;
  return y;
}

/** f W' + b: (N, D) x (C, D) -> (N, C). */
export function linear64(f: T64, w: T64, b: T64): T64 {
  const [n, d] = f.shape;
  const c = w.shape[0];
  const y = t64([n, c]);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < c; k++) {
      let s = b.data[k];
      for (let j = 0; j < d; j++) s += f.data[i * d + j] * w.data[k * d + j];
      y.data[i * c + k] = s;
    }
  return y;
}

/** Sum over rows of the label-smoothed cross-entropy, target (1 - eps) one-hot + eps / C. */
export function crossEntropySum64(logits: T64, labels: ArrayLike<number>, smoothing = 0): number {
  const [n, c] = logits.shape;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.data.subarray(i * c, (i + 1) * c);
    const mx = Math.max(...row);
    let z = 0;
    for (const v of row) z += Math.exp(v - mx);
    const lse = mx + Math.log(z);
    for (let k = 0; k < c; k++) {
      const target = (k === labels[i] ? 1 - smoothing : 0) + smoothing / c;
      total -= target * (row[k] - lse);
    }
  }
  return total;
}

/** sum(r * y): a scalar that depends on every output element with its own weight. */
export function project64(y: T64, r: T64): number {
  let s = 0;
  for (let i = 0; i < y.data.length; i++) s += y.data[i] * r.data[i];
  return s;
}

/**
 * Central differences of a float64 scalar function of several tensors, for every element of each:
 * (f(x + h e_i) - f(x - h e_i)) / 2h. Error O(h^2 f''') plus O(ulp / h): about 1e-9 relative at h = 1e-5.
 */
export function finiteDifferences(f: (inputs: T64[]) => number, inputs: T64[], h = 1e-5): Float64Array[] {
  return inputs.map((t) => {
    const g = new Float64Array(t.data.length);
    for (let i = 0; i < t.data.length; i++) {
      const keep = t.data[i];
      t.data[i] = keep + h;
      const up = f(inputs);
      t.data[i] = keep - h;
      const down = f(inputs);
      t.data[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  });
}

/** Largest absolute difference, relative to the reference's largest magnitude. */
export function relativeError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (got.length !== ref.length) throw new Error(`length ${got.length} != ${ref.length}`);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    diff = Math.max(diff, Math.abs(got[i] - ref[i]));
  }
  return diff / Math.max(scale, 1e-12);
}
