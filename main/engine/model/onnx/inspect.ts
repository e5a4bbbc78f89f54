// Reads an ONNX image classifier made elsewhere and finds what OODLab's analyses need: the one image input (NCHW),
// the logits output (N, C), and the classifier head that produces the logits, a final Gemm (W from its B input,
// transposed unless transB = 1, times alpha; b = beta C) or MatMul + Add (W = B'), possibly behind Identity nodes.
// The penultimate features are the head's input. Every failure is a sentence naming the file and what is wrong.
import { OodlabError } from '../../../../common/contract/errors';
import {
  decodeModel,
  floatAttr,
  intAttr,
  num,
  tensorValues,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto';

export interface OnnxHead {
  /** The tensor feeding the head: the penultimate features. */
  features: string;
  /** W as (C, D), row-major, and b (C). */
  W: Float32Array;
  b: Float32Array;
  C: number;
  D: number;
  via: 'Gemm' | 'MatMul+Add' | 'MatMul';
}

export interface OnnxModelInfo {
  model: ModelProto;
  input: string;
  /** Fixed batch size, or null when the batch dimension is symbolic. */
  batch: number | null;
  /** Fixed spatial size [H, W], or null when symbolic. */
  size: [number, number] | null;
  logits: string;
  /** Set when the graph's output is a (Log)Softmax of the logits (then `logits` is the Softmax's input). */
  softmax?: string;
  /** Class count when the graph states it (output shape or head). */
  classes: number | null;
  head: OnnxHead | null;
  /** Why no head was found (when head is null). */
  headProblem?: string;
  opset: number;
  producer: string;
  /** Every tensor a node produces (what --features / --layers may name). */
  tensors: string[];
  /** Node name -> its first output, so users may name a node instead of its tensor. */
  nodeOutputs: Map<string, string>;
  /** Outputs of residual additions (the Relu after an Add when there is one), in graph order. */
  residualOutputs: string[];
}

const bad = (file: string, what: string) => new OodlabError('invalid_request', `${file}: ${what}`);

function dims(v: ValueInfoProto): (number | string)[] | null {
  const shape = v.type?.tensorType?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? num(d.dimValue) : '?'));
}

export function parseOnnx(bytes: Uint8Array, file: string): ModelProto {
  let m: ModelProto;
  try {
    m = decodeModel(bytes);
  } catch (err) {
    throw bad(file, `not an ONNX model, or the file is truncated (${(err as Error).message}).`);
  }
  if (!m.graph || !m.graph.node?.length || !m.opsetImport?.length)
    throw bad(file, 'not an ONNX model (no graph, nodes or opset), or the file is truncated.');
  return m;
}

/** Follows Identity nodes back from a tensor to the node that really computes it. */
function producerOf(t: string, producers: Map<string, NodeProto>): NodeProto | undefined {
  let p = producers.get(t);
  while (p && p.opType === 'Identity') p = producers.get(p.input![0]);
  return p;
}

function transpose(v: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c];
  return out;
}

function findHead(
  logits: string,
  producers: Map<string, NodeProto>,
  inits: Map<string, TensorProto>,
): OnnxHead | string {
  const p = producerOf(logits, producers);
  if (!p) return `the logits output ${logits} is not computed by any node`;
  const weight = (name: string) => {
    const t = inits.get(name);
    return t ? tensorValues(t) : null;
  };
  const matmul = (node: NodeProto, bias: Float32Array | null, via: OnnxHead['via']): OnnxHead | string => {
    const B = weight(node.input![1]);
    if (!B || B.dims.length !== 2)
      return `its MatMul's second input ${node.input![1]} is not a constant matrix`;
    const [D, C] = B.dims;
    return {
      features: node.input![0],
      W: transpose(B.values, D, C),
      b: bias ?? new Float32Array(C),
      C,
      D,
      via,
    };
  };
  if (p.opType === 'Gemm') {
    if (intAttr(p, 'transA', 0) !== 0) return 'its final Gemm transposes its input (transA = 1)';
    const B = weight(p.input![1]);
    if (!B || B.dims.length !== 2) return `its final Gemm's weight ${p.input![1]} is not a constant matrix`;
    const transB = intAttr(p, 'transB', 0) === 1;
    const [C, D] = transB ? B.dims : [B.dims[1], B.dims[0]];
    const alpha = floatAttr(p, 'alpha', 1);
    const beta = floatAttr(p, 'beta', 1);
    const W = transB ? Float32Array.from(B.values) : transpose(B.values, D, C);
    if (alpha !== 1) for (let i = 0; i < W.length; i++) W[i] *= alpha;
    const b = new Float32Array(C);
    if (p.input!.length > 2 && p.input![2]) {
      const bias = weight(p.input![2]);
      if (!bias || bias.values.length !== C)
        return `its final Gemm's bias ${p.input![2]} is not a constant of ${C} values`;
      for (let c = 0; c < C; c++) b[c] = beta * bias.values[c];
    }
    return { features: p.input![0], W, b, C, D, via: 'Gemm' };
  }
  if (p.opType === 'Add') {
    for (const [k, other] of [
      [0, 1],
      [1, 0],
    ]) {
      const mm = producerOf(p.input![k], producers);
      const bias = weight(p.input![other]);
      if (mm?.opType === 'MatMul' && bias) return matmul(mm, bias.values, 'MatMul+Add');
    }
    return 'it ends in an Add that is not a MatMul plus a constant bias';
  }
  if (p.opType === 'MatMul') return matmul(p, null, 'MatMul');
  return `it ends in ${p.opType} (${p.name || 'unnamed'}), not in a Gemm or MatMul + Add`;
}

export function inspectOnnx(bytes: Uint8Array, file: string): OnnxModelInfo {
  const model = parseOnnx(bytes, file);
  const g = model.graph!;
  const inits = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
  if ((g.initializer ?? []).some((t) => t.externalData?.length))
    throw bad(
      file,
      'keeps its weights in separate files (ONNX external data); save it as one file and import that.',
    );
  const inputs = (g.input ?? []).filter((v) => !inits.has(v.name ?? ''));
  const images = inputs.filter((v) => dims(v)?.length === 4);
  if (!images.length)
    throw bad(
      file,
      `has no image input: expected one NCHW (4-D) float input, found ${inputs.map((v) => `${v.name} [${dims(v)?.join(', ') ?? '?'}]`).join(', ') || 'none'}.`,
    );
  if (images.length > 1 || inputs.length > 1)
    throw bad(
      file,
      `has more than one input (${inputs.map((v) => v.name).join(', ')}); OODLab feeds one image tensor.`,
    );
  const inp = images[0];
  if (inp.type?.tensorType?.elemType !== 1)
    throw bad(file, `its input ${inp.name} is not float32 (element type ${inp.type?.tensorType?.elemType}).`);
  const d = dims(inp)!;
  if (typeof d[1] === 'number' && d[1] !== 3)
    throw bad(
      file,
      `its input ${inp.name} has ${d[1]} channels in NCHW order; OODLab feeds RGB images (3 channels).`,
    );
  const fixed = (v: number | string) => (typeof v === 'number' && v > 0 ? v : null);
  const size: [number, number] | null = fixed(d[2]) && fixed(d[3]) ? [d[2] as number, d[3] as number] : null;

  const outs = g.output ?? [];
  if (!outs.length) throw bad(file, 'has no outputs.');
  const twoD = outs.filter((o) => dims(o)?.length === 2);
  const logitsV = outs.length === 1 ? outs[0] : (outs.find((o) => o.name === 'logits') ?? twoD[0] ?? outs[0]);
  const ld = dims(logitsV);
  if (ld && ld.length !== 2)
    throw bad(file, `its output ${logitsV.name} has shape [${ld.join(', ')}]; logits must be (N, classes).`);

  const producers = new Map<string, NodeProto>();
  const nodeOutputs = new Map<string, string>();
  const tensors: string[] = [];
  for (const n of g.node ?? []) {
    for (const o of n.output ?? []) {
      producers.set(o, n);
      tensors.push(o);
    }
    if (n.name && n.output?.length) nodeOutputs.set(n.name, n.output[0]);
  }
  const consumers = new Map<string, NodeProto[]>();
  for (const n of g.node ?? [])
    for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const residualOutputs: string[] = [];
  for (const n of g.node ?? []) {
    if (n.opType !== 'Add' || (n.input ?? []).some((i) => inits.has(i))) continue;
    const out = n.output![0];
    const next = consumers.get(out);
    residualOutputs.push(next?.length === 1 && next[0].opType === 'Relu' ? next[0].output![0] : out);
  }
  // a classifier that ends in (Log)Softmax outputs probabilities: the logits are the Softmax's input
  let logits = logitsV.name!;
  const last = producerOf(logits, producers);
  const softmax = last?.opType === 'Softmax' || last?.opType === 'LogSoftmax' ? last.opType : undefined;
  if (softmax) logits = last!.input![0];
  let head: OnnxHead | string;
  try {
    head = findHead(logits, producers, inits);
  } catch (err) {
    head = `its head cannot be read (${(err as Error).message})`; // e.g. weights kept in an external file
  }
  const opset = num((model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version);
  const classes = typeof ld?.[1] === 'number' && ld[1] > 0 ? ld[1] : typeof head === 'string' ? null : head.C;
  return {
    model,
    input: inp.name!,
    batch: fixed(d[0]),
    size,
    logits,
    softmax,
    classes,
    head: typeof head === 'string' ? null : head,
    headProblem: typeof head === 'string' ? head : undefined,
    opset,
    producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(),
    tensors,
    nodeOutputs,
    residualOutputs,
  };
}

/** A tensor named by the user (a tensor name, or a node name standing for its first output), or null. */
export function resolveTensor(info: OnnxModelInfo, name: string): string | null {
  if (info.tensors.includes(name)) return name;
  return info.nodeOutputs.get(name) ?? null;
}
