// OODLab's ResNet-18 as an ONNX graph (opset 13), so a trained model leaves the app and, through ONNX Runtime,
// extracts features faster than tfjs on the CPU. Input `input`: NCHW float32, already normalised with the data set's
// mean/std (written into the model's metadata), batch dimension symbolic. Outputs: `logits` (N, C), `features`
// (N, 8w, the penultimate layer) and `layer1`..`layer4` (the global-average-pooled stages, for layer-wise NC).
// Batch norm is folded into each convolution exactly as the tfjs inference path folds it (layers.ts convBnEval):
// w' = w gamma / sqrt(var + eps), b' = beta - mean gamma / sqrt(var + eps), so both engines compute the same sums.
import { CIFAR100_MEAN, CIFAR100_STD } from '../../data/augment';
import { BN_EPS } from '../layers';
import { hwioToOihw } from '../layout';
import { blockSpecs, tensorSpecs } from '../spec';
import type { OnnxPlan } from './runner';
import {
  encodeModel,
  floatTensor,
  intAttribute,
  intsAttribute,
  type NodeProto,
  type TensorProto,
  valueInfo,
} from './proto';

export const EXPORT_OPSET = 13;
export const EXPORT_INPUT = 'input';

/** How the extractor (runner.ts) reads a graph written here: inputs normalised with CIFAR-100's statistics. */
export const exportedPlan: OnnxPlan = {
  input: EXPORT_INPUT,
  batch: null,
  size: [32, 32],
  mean: CIFAR100_MEAN,
  std: CIFAR100_STD,
  logits: 'logits',
  features: 'features',
  layers: ['layer1', 'layer2', 'layer3', 'layer4'],
};

export interface ExportInfo {
  /** Free text kept in the model's doc string and metadata (run id, checkpoint, epoch). */
  description?: string;
  mean?: readonly number[];
  std?: readonly number[];
  metadata?: Record<string, string>;
}

/** A ResNet-18's tensors by their names in spec.ts (conv weights HWIO, as checkpoints store them). */
export type ResNetWeights = Map<string, { shape: number[]; data: Float32Array }>;

/** Serialises a ResNet-18's weights (a checkpoint's, or a live model's) to ONNX bytes; no tfjs needed. */
export function exportResNetOnnx(
  weights: ResNetWeights,
  arch: { width: number; numClasses: number },
  info: ExportInfo = {},
): Uint8Array {
  const { width, numClasses } = arch;
  for (const s of tensorSpecs(width, numClasses)) {
    const w = weights.get(s.name);
    if (!w || w.shape.join('x') !== s.shape.join('x'))
      throw new Error(`the weights lack ${s.name} of shape [${s.shape.join(', ')}]`);
  }
  const get = (name: string) => weights.get(name)!;
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];

  /** conv + folded BN (+ ReLU); returns the output tensor's name. */
  const convBn = (x: string, conv: string, bn: string, stride: number, relu: boolean): string => {
    const w = get(`${conv}.weight`);
    const [k, , cin, cout] = w.shape; // HWIO
    const gamma = get(`${bn}.weight`).data;
    const beta = get(`${bn}.bias`).data;
    const mean = get(`${bn}.running_mean`).data;
    const variance = get(`${bn}.running_var`).data;
    const scale = new Float64Array(cout);
    const bias = new Float32Array(cout);
    for (let o = 0; o < cout; o++) {
      scale[o] = gamma[o] / Math.sqrt(variance[o] + BN_EPS);
      bias[o] = beta[o] - mean[o] * scale[o];
    }
    const oihw = hwioToOihw(w.shape, w.data);
    const block = cin * k * k;
    for (let j = 0; j < oihw.length; j++) oihw[j] *= scale[Math.floor(j / block)];
    inits.push(floatTensor(`${conv}.weight`, [cout, cin, k, k], oihw));
    inits.push(floatTensor(`${conv}.bias`, [cout], bias));
    const pad = k === 3 ? 1 : 0;
    const y = relu ? `${conv}.pre_relu` : `${conv}.out`;
    nodes.push({
      name: conv,
      opType: 'Conv',
      input: [x, `${conv}.weight`, `${conv}.bias`],
      output: [y],
      attribute: [
        intsAttribute('kernel_shape', [k, k]),
        intsAttribute('pads', [pad, pad, pad, pad]),
        intsAttribute('strides', [stride, stride]),
      ],
    });
    if (!relu) return y;
    nodes.push({ name: `${conv}.relu`, opType: 'Relu', input: [y], output: [`${conv}.out`] });
    return `${conv}.out`;
  };

  let h = convBn(EXPORT_INPUT, 'conv1', 'bn1', 1, true);
  const pooled: string[] = [];
  blockSpecs(width).forEach((b, i) => {
    const p = b.prefix;
    const a = convBn(h, `${p}.conv1`, `${p}.bn1`, b.stride, true);
    const out = convBn(a, `${p}.conv2`, `${p}.bn2`, 1, false);
    const sc = b.projection ? convBn(h, `${p}.shortcut.0`, `${p}.shortcut.1`, b.stride, false) : h;
    nodes.push({ name: `${p}.add`, opType: 'Add', input: [out, sc], output: [`${p}.sum`] });
    nodes.push({ name: `${p}.relu`, opType: 'Relu', input: [`${p}.sum`], output: [`${p}.out`] });
    h = `${p}.out`;
    if (i % 2 === 1) {
      const stage = `layer${(i + 1) / 2}`;
      nodes.push({ name: `${stage}.gap`, opType: 'GlobalAveragePool', input: [h], output: [`${stage}.gap`] });
      nodes.push({
        name: `${stage}.flatten`,
        opType: 'Flatten',
        input: [`${stage}.gap`],
        output: [stage],
        attribute: [intAttribute('axis', 1)],
      });
      pooled.push(stage);
    }
  });
  nodes.push({ name: 'features', opType: 'Identity', input: ['layer4'], output: ['features'] });
  const fcW = get('linear.weight');
  inits.push(floatTensor('linear.weight', fcW.shape, fcW.data));
  inits.push(floatTensor('linear.bias', [numClasses], get('linear.bias').data));
  nodes.push({
    name: 'linear',
    opType: 'Gemm',
    input: ['features', 'linear.weight', 'linear.bias'],
    output: ['logits'],
    attribute: [intAttribute('transB', 1)],
  });

  const vi = (name: string, dims: (number | string)[]) => valueInfo(name, dims);
  const mean = info.mean ?? CIFAR100_MEAN;
  const std = info.std ?? CIFAR100_STD;
  const metadata: Record<string, string> = {
    'oodlab.arch': 'resnet18-cifar',
    'oodlab.width': String(width),
    'oodlab.classes': String(numClasses),
    'oodlab.input': 'NCHW float32, pixels scaled to [0, 1] then normalised with mean/std',
    'oodlab.mean': mean.join(','),
    'oodlab.std': std.join(','),
    ...info.metadata,
  };
  return encodeModel({
    irVersion: 7,
    producerName: 'OODLab',
    producerVersion: info.metadata?.['oodlab.version'] ?? '',
    docString: info.description ?? 'CIFAR ResNet-18 exported by OODLab',
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'oodlab_resnet18',
      node: nodes,
      initializer: inits,
      input: [vi(EXPORT_INPUT, ['N', 3, 32, 32])],
      output: [
        vi('logits', ['N', numClasses]),
        vi('features', ['N', 8 * width]),
        ...pooled.map((s, k) => vi(s, ['N', width * 2 ** k])),
      ],
    },
  });
}
