// ONNX fixtures for the import tests, written with the official schema through onnx-proto (no hand-made bytes):
// a small ResNet-like classifier (Conv, BatchNormalization, Relu, Add, GlobalAveragePool, Flatten, then a Gemm or
// MatMul + Add head) with seeded random weights, in the variants the importer must handle.
import {
  encodeModel,
  floatAttribute,
  floatTensor,
  intAttribute,
  intsAttribute,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../../main/engine/model/onnx/proto';

export interface GraphOptions {
  classes?: number;
  /** 'gemm' (transB = 1), 'gemm-plain' (transB = 0, B stored as (D, C)), 'matmul' (MatMul + Add), 'scaled' (Gemm then Mul by 2) */
  head?: 'gemm' | 'gemm-plain' | 'matmul' | 'scaled';
  batch?: number | 'N';
  size?: number | 'H';
  opset?: number;
  /** End in a Softmax (output 'probs'), as Keras-made graphs do. */
  softmax?: boolean;
  /** Extra graph inputs (to test refusals). */
  extraInputs?: ValueInfoProto[];
  /** Replace the image input by a 2-D one. */
  flatInput?: boolean;
  seed?: number;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const vi = (name: string, dims: (number | string)[]): ValueInfoProto => ({
  name,
  type: {
    tensorType: {
      elemType: 1,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  },
});

/** A two-stage residual net: stem 3->4 at full size, a block, a strided 4->8 conv, a block, GAP, head. */
export function smallResNetOnnx(o: GraphOptions = {}): Uint8Array {
  const r = rng(o.seed ?? 7);
  const C = o.classes ?? 4;
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const rand = (n: number, scale: number) => Float32Array.from({ length: n }, () => r() * scale);
  const conv = (x: string, name: string, cin: number, cout: number, stride: number): string => {
    inits.push(floatTensor(`${name}.w`, [cout, cin, 3, 3], rand(cout * cin * 9, 2 / Math.sqrt(cin * 9))));
    nodes.push({
      name,
      opType: 'Conv',
      input: [x, `${name}.w`],
      output: [`${name}.y`],
      attribute: [
        intsAttribute('kernel_shape', [3, 3]),
        intsAttribute('pads', [1, 1, 1, 1]),
        intsAttribute('strides', [stride, stride]),
      ],
    });
    const bn = `${name}.bn`;
    inits.push(
      floatTensor(
        `${bn}.scale`,
        [cout],
        rand(cout, 0.5).map((v) => 1 + v),
      ),
    );
    inits.push(floatTensor(`${bn}.bias`, [cout], rand(cout, 0.2)));
    inits.push(floatTensor(`${bn}.mean`, [cout], rand(cout, 0.2)));
    inits.push(
      floatTensor(
        `${bn}.var`,
        [cout],
        rand(cout, 0.5).map((v) => 1 + v),
      ),
    );
    nodes.push({
      name: bn,
      opType: 'BatchNormalization',
      input: [`${name}.y`, `${bn}.scale`, `${bn}.bias`, `${bn}.mean`, `${bn}.var`],
      output: [`${bn}.y`],
      attribute: [floatAttribute('epsilon', 1e-5)],
    });
    return `${bn}.y`;
  };
  const relu = (x: string, name: string) => {
    nodes.push({ name, opType: 'Relu', input: [x], output: [name] });
    return name;
  };
  const block = (x: string, name: string, c: number) => {
    const a = relu(conv(x, `${name}.conv1`, c, c, 1), `${name}.relu1`);
    const b = conv(a, `${name}.conv2`, c, c, 1);
    nodes.push({ name: `${name}.add`, opType: 'Add', input: [b, x], output: [`${name}.sum`] });
    return relu(`${name}.sum`, `${name}.out`);
  };
  let h = relu(conv('image', 'stem', 3, 4, 1), 'stem.relu');
  h = block(h, 'stage1', 4);
  h = relu(conv(h, 'down', 4, 8, 2), 'down.relu');
  h = block(h, 'stage2', 8);
  nodes.push({ name: 'pool', opType: 'GlobalAveragePool', input: [h], output: ['pooled'] });
  nodes.push({
    name: 'flatten',
    opType: 'Flatten',
    input: ['pooled'],
    output: ['penultimate'],
    attribute: [intAttribute('axis', 1)],
  });
  const D = 8;
  const W = rand(C * D, 1); // (C, D)
  const WT = new Float32Array(D * C);
  for (let c = 0; c < C; c++) for (let d = 0; d < D; d++) WT[d * C + c] = W[c * D + d];
  inits.push(floatTensor('fc.b', [C], rand(C, 0.5)));
  const head = o.head ?? 'gemm';
  const logits = head === 'scaled' ? 'fc.y' : 'logits';
  if (head === 'matmul') {
    inits.push(floatTensor('fc.wt', [D, C], WT));
    nodes.push({ name: 'fc.matmul', opType: 'MatMul', input: ['penultimate', 'fc.wt'], output: ['fc.mm'] });
    nodes.push({ name: 'fc.add', opType: 'Add', input: ['fc.mm', 'fc.b'], output: [logits] });
  } else {
    const plain = head === 'gemm-plain';
    inits.push(floatTensor('fc.w', plain ? [D, C] : [C, D], plain ? WT : W));
    nodes.push({
      name: 'fc',
      opType: 'Gemm',
      input: ['penultimate', 'fc.w', 'fc.b'],
      output: [logits],
      attribute: plain ? [] : [intAttribute('transB', 1)],
    });
  }
  if (head === 'scaled') {
    inits.push(floatTensor('two', [1], Float32Array.of(2)));
    nodes.push({ name: 'scale', opType: 'Mul', input: ['fc.y', 'two'], output: ['logits'] });
  }
  if (o.softmax)
    nodes.push({
      name: 'softmax',
      opType: 'Softmax',
      input: ['logits'],
      output: ['probs'],
      attribute: [intAttribute('axis', 1)],
    });
  const batch = o.batch ?? 'N';
  const size = o.size ?? 32;
  return encodeModel({
    irVersion: 7,
    producerName: 'oodlab-test',
    opsetImport: [{ domain: '', version: o.opset ?? 13 }],
    graph: {
      name: 'small_resnet',
      node: nodes,
      initializer: inits,
      input: [
        o.flatInput ? vi('image', [batch, 3 * 32 * 32]) : vi('image', [batch, 3, size, size]),
        ...(o.extraInputs ?? []),
      ],
      output: [vi(o.softmax ? 'probs' : 'logits', [batch, C])],
    },
  });
}
