// Runs an ONNX classifier over OODLab's uint8 images through ONNX Runtime: pixels scaled to [0, 1], resized to the
// model's input size (bilinear, half-pixel centres: PyTorch's interpolate with align_corners=False), normalised
// with mean/std, fed as NCHW float32. The tensors the analyses need (logits, penultimate features, chosen layers)
// are made graph outputs; 4-D ones are global-average-pooled here, 2-D ones are taken as they are.
import { decodeModel, encodeModel, onnx } from './proto';
import { openSession, ort, type OrtSession } from './session';

export interface OnnxPlan {
  input: string;
  /** Fixed batch size of the graph, or null when symbolic. */
  batch: number | null;
  size: [number, number];
  mean: readonly number[];
  std: readonly number[];
  logits: string;
  features: string;
  layers: string[];
}

export interface OnnxBatch {
  logits: Float32Array;
  features: Float32Array;
  layers: Float32Array[];
}

/** The model with `names` added to its graph outputs (ONNX Runtime only returns graph outputs). */
export function withOutputs(bytes: Uint8Array, names: string[]): Uint8Array {
  const m = decodeModel(bytes);
  const g = m.graph!;
  const have = new Set((g.output ?? []).map((o) => o.name));
  for (const n of names) if (!have.has(n)) g.output!.push(onnx.ValueInfoProto.create({ name: n }));
  return encodeModel(m);
}

/** uint8 NHWC 32x32 RGB -> normalised NCHW float32 at size [H, W]. */
export function toInput(
  images: Uint8Array,
  start: number,
  count: number,
  rows: number,
  plan: Pick<OnnxPlan, 'size' | 'mean' | 'std'>,
  src = 32,
): Float32Array {
  const [H, W] = plan.size;
  const out = new Float32Array(rows * 3 * H * W);
  const sy = src / H;
  const sx = src / W;
  // source coordinates and weights per output row / column (half-pixel centres, clamped at the edges)
  const axis = (n: number, s: number) => {
    const lo = new Int32Array(n);
    const hi = new Int32Array(n);
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const p = Math.max(0, (i + 0.5) * s - 0.5);
      lo[i] = Math.min(src - 1, Math.floor(p));
      hi[i] = Math.min(src - 1, lo[i] + 1);
      w[i] = p - Math.floor(p);
    }
    return { lo, hi, w };
  };
  const ay = axis(H, sy);
  const ax = axis(W, sx);
  for (let k = 0; k < count; k++) {
    const base = (start + k) * src * src * 3;
    for (let c = 0; c < 3; c++) {
      const scale = 1 / (255 * plan.std[c]);
      const shift = -plan.mean[c] / plan.std[c];
      const dst = (k * 3 + c) * H * W;
      for (let y = 0; y < H; y++) {
        const r0 = base + ay.lo[y] * src * 3 + c;
        const r1 = base + ay.hi[y] * src * 3 + c;
        const wy = ay.w[y];
        for (let x = 0; x < W; x++) {
          const c0 = ax.lo[x] * 3;
          const c1 = ax.hi[x] * 3;
          const wx = ax.w[x];
          const top = images[r0 + c0] * (1 - wx) + images[r0 + c1] * wx;
          const bot = images[r1 + c0] * (1 - wx) + images[r1 + c1] * wx;
          out[dst + y * W + x] = (top * (1 - wy) + bot * wy) * scale + shift;
        }
      }
    }
  }
  return out;
}

/** A tensor as (N, D): 2-D as is, 4-D (N, C, H, W) averaged over H and W; the first `n` rows. */
export function pooled(t: ort.Tensor, n: number, name: string): { data: Float32Array; dim: number } {
  const d = t.dims;
  const v = t.data as Float32Array;
  if (d.length === 2) return { data: v.subarray(0, n * d[1]), dim: d[1] };
  if (d.length === 4) {
    const [, C, H, W] = d;
    const hw = H * W;
    const out = new Float32Array(n * C);
    for (let i = 0; i < n * C; i++) {
      let s = 0;
      for (let j = 0; j < hw; j++) s += v[i * hw + j];
      out[i] = s / hw;
    }
    return { data: out, dim: C };
  }
  throw new Error(
    `tensor ${name} has shape [${d.join(', ')}]; only 2-D (N, D) or 4-D (N, C, H, W) tensors can be used`,
  );
}

export interface OnnxExtractor {
  ort: OrtSession;
  /** Rows fed per run (the graph's fixed batch, or the requested batch when symbolic). */
  rows: number;
  run(images: Uint8Array, start: number, count: number): Promise<OnnxBatch & { dims: number[] }>;
  release(): Promise<void>;
}

export async function openExtractor(
  bytes: Uint8Array,
  plan: OnnxPlan,
  o: { batchSize?: number; log?: (m: string) => void } = {},
): Promise<OnnxExtractor> {
  const wanted = [plan.logits, plan.features, ...plan.layers];
  const session = await openSession(withOutputs(bytes, wanted), { log: o.log });
  const rows = plan.batch ?? o.batchSize ?? 128;
  const [H, W] = plan.size;
  return {
    ort: session,
    rows: Math.min(rows, plan.batch ?? rows),
    async run(images, start, count) {
      const n = plan.batch ?? count;
      const x = toInput(images, start, count, n, plan);
      const outs: Record<string, ort.Tensor> = await session.session.run(
        { [plan.input]: new ort.Tensor('float32', x, [n, 3, H, W]) },
        [...new Set(wanted)],
      );
      const logits = pooled(outs[plan.logits], count, plan.logits);
      const features = pooled(outs[plan.features], count, plan.features);
      const layers = plan.layers.map((l) => pooled(outs[l], count, l));
      return {
        logits: logits.data,
        features: features.data,
        layers: layers.map((l) => l.data),
        dims: [logits.dim, features.dim, ...layers.map((l) => l.dim)],
      };
    },
    release: () => session.session.release(),
  };
}
