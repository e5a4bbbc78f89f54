// One training step of the CIFAR ResNet-18 written out as an ONNX graph (opset 13), so that ONNX Runtime's CPU
// provider runs the forward pass, the loss and the whole backward pass in native code (MLAS: AVX2 / AVX-512, one
// thread per core) instead of WebAssembly's 128-bit SIMD. onnxruntime-node has no autograd: every gradient below is
// written by hand from the layer's definition, the formulas of layers.ts' custom gradients:
//   conv        z = W * x                 dx = dz * W (flipped, channels swapped; ConvTranspose at stride 2)
//               dW[o,c,i,j] = sum_{n,h,w} dz[n,o,h,w] xpad[n,c,s h + i,s w + j]   (s: the stride)
//   batch norm  y = g xhat + b, xhat = (z - mean) invstd (batch statistics over N, H, W: M values per channel)
//               db = sum dy, dg = sum dy xhat, dz = g invstd (dy - db / M - xhat dg / M)
//   ReLU        dy where the output is > 0;  residual add: the same gradient to both branches
//   pooling     dh = dfeatures / (H W) at every position;  classifier  dW = dlogits' f, db = sum dlogits
//   loss        sum_i -t_i . log softmax(logits_i) with smoothed targets t (rows sum to 1);
//               dlogits = (softmax - t) scale, scale = 1 / (the whole batch) so that micro-batches add up.
// The filter gradient: each input plane's im2col comes from a convolution with the k x k one-hot filters (padded and
// strided as the forward convolution), then one product per sample (K = H' W') summed over samples where the images
// are large, or a single product over K = N H' W' where they are small (late stages, many filters).
// Checked against PyTorch's float64 gradients and trajectory (test/unit/engine/train/fidelity.spec.ts).
//
// Inputs: `x` (N, 3, 32, 32) NCHW, `target` (N, classes), `scale` (a scalar), and every trainable tensor by its spec
// name, convolutions in ONNX's OIHW layout. Outputs: `loss` (the batch's summed cross-entropy), `logits`,
// `grad:<name>` for each trainable tensor (convolutions OIHW) and `mean:<bn>` / `var:<bn>` (the unbiased batch
// variance, times M / (M - 1) as layers.ts scales it) for the running statistics. The batch size is fixed per graph.
import { BN_EPS } from '../model/layers';
import { oihwShape } from '../model/layout';
import {
  encodeModel,
  FLOAT,
  floatTensor,
  int64Tensor,
  intAttribute,
  intsAttribute,
  type NodeProto,
  type TensorProto,
  valueInfo,
} from '../model/onnx/proto';
import { blockSpecs, isTrainable, tensorSpecs, type TensorSpec } from '../model/spec';

export const TRAIN_OPSET = 13;

/** Floats of im2col per chunk of samples in the early stages' filter gradients (4 MiB). */
const IM2COL_CHUNK = 1 << 20;

/** A spec tensor's shape in the graph: convolutions HWIO -> OIHW, the others as they are. */
export function graphShape(spec: Pick<TensorSpec, 'shape'>): number[] {
  return spec.shape.length === 4 ? oihwShape(spec.shape) : spec.shape;
}

/** What the backward pass of one conv + BN (+ ReLU) needs from its forward pass. */
interface ConvBn {
  x: string;
  out: string;
  weight: string;
  bn: string;
  stride: number;
  k: number;
  inH: number;
  outH: number;
  xhat: string;
  invstd: string;
  gamma4: string;
  /** The ReLU's output, when the op ends in one. */
  relu: string | null;
}

export interface TrainGraphOptions {
  /** Floats of im2col per chunk of samples (IM2COL_CHUNK; tests make it small to cut every batch into pieces). */
  im2colChunk?: number;
}

/** The training-step graph of a ResNet-18 of this width and class count, for batches of exactly `batch` images. */
export function trainStepGraph(
  arch: { width: number; numClasses: number },
  batch: number,
  o: TrainGraphOptions = {},
): Uint8Array {
  const { width, numClasses } = arch;
  const N = batch;
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const outputs: ReturnType<typeof valueInfo>[] = [];
  let serial = 0;
  // Node names start with the part of the step they belong to (bench/train-profile.ts --engine onnxruntime sums by it).
  let part = 'forward';
  const op = (opType: string, input: string[], attribute: NodeProto['attribute'] = [], name?: string) => {
    const out = name ?? `t${serial++}_${opType}`;
    nodes.push({ name: `${part}/${serial++}`, opType, input, output: [out], attribute });
    return out;
  };
  const named = new Set<string>();
  const initializer = (name: string, make: () => TensorProto) => {
    if (!named.has(name)) inits.push(make());
    named.add(name);
    return name;
  };
  const floats = (name: string, dims: number[], values: number[]) =>
    initializer(name, () => floatTensor(name, dims, Float32Array.from(values)));
  const ints = (values: number[]) => initializer(`i64:${values.join(',')}`, () => int64Tensor(`i64:${values.join(',')}`, values)); // prettier-ignore
  const output = (name: string, dims: number[]) => outputs.push(valueInfo(name, dims));
  const reshape = (x: string, dims: number[], name?: string) => op('Reshape', [x, ints(dims)], [], name);
  const transpose = (x: string, perm: number[]) => op('Transpose', [x], [intsAttribute('perm', perm)]);
  /** x cut along the batch axis into pieces of these sizes (the whole of x when there is one). */
  const split = (x: string, sizes: number[]): string[] => {
    if (sizes.length === 1) return [x];
    const outs = sizes.map(() => `t${serial++}_Split`);
    nodes.push({
      name: `${part}/${serial++}`,
      opType: 'Split',
      input: [x, ints(sizes)],
      output: outs,
      attribute: [intAttribute('axis', 0)],
    });
    return outs;
  };
  const zero = floats('zero', [], [0]);
  const eps = floats('eps', [], [BN_EPS]);

  const specs = tensorSpecs(width, numClasses);
  const shapeOf = new Map(specs.map((s) => [s.name, graphShape(s)]));
  const params = specs.filter((s) => isTrainable(s.role));

  const convBn = (
    x: string,
    conv: string,
    bn: string,
    stride: number,
    relu: boolean,
    inH: number,
  ): ConvBn => {
    const weight = `${conv}.weight`;
    const [cout, , k] = shapeOf.get(weight)!;
    const pad = k === 3 ? 1 : 0;
    const outH = Math.floor((inH + 2 * pad - k) / stride) + 1;
    const z = op(
      'Conv',
      [x, weight],
      [
        intsAttribute('kernel_shape', [k, k]),
        intsAttribute('pads', [pad, pad, pad, pad]),
        intsAttribute('strides', [stride, stride]),
      ],
    );
    const keep = [intsAttribute('axes', [0, 2, 3]), intAttribute('keepdims', 1)];
    const mean = op('ReduceMean', [z], keep);
    const centred = op('Sub', [z, mean]);
    const variance = op('ReduceMean', [op('Mul', [centred, centred])], keep);
    const invstd = op('Reciprocal', [op('Sqrt', [op('Add', [variance, eps])])]);
    const xhat = op('Mul', [centred, invstd]);
    const gamma4 = reshape(`${bn}.weight`, [1, cout, 1, 1]);
    const pre = op('Add', [op('Mul', [xhat, gamma4]), reshape(`${bn}.bias`, [1, cout, 1, 1])]);
    reshape(mean, [cout], `mean:${bn}`);
    const M = N * outH * outH;
    reshape(op('Mul', [variance, floats(`unbias${M}`, [], [M / Math.max(M - 1, 1)])]), [cout], `var:${bn}`);
    output(`mean:${bn}`, [cout]);
    output(`var:${bn}`, [cout]);
    const y = relu ? op('Relu', [pre]) : null;
    return { x, out: y ?? pre, weight, bn, stride, k, inH, outH, xhat, invstd, gamma4, relu: y };
  };

  /** dy where a ReLU's output is > 0, else 0. */
  // (Mul by the cast mask measured 3-5% faster a step than Where, and than Mul by Sign(y).)
  const reluGrad = (dy: string, y: string) =>
    op('Mul', [dy, op('Cast', [op('Greater', [y, zero])], [intAttribute('to', FLOAT)])]);

  /** Backward through BN (and its ReLU) and the convolution; returns dx, or null when x is the image. */
  const convBnGrad = (dyIn: string, c: ConvBn, needDx: boolean): string | null => {
    part = 'backward: batch norm, ReLU';
    const dy = c.relu ? reluGrad(dyIn, c.relu) : dyIn;
    const [cout, cin] = shapeOf.get(c.weight)!;
    const sums = [intAttribute('keepdims', 1)];
    const sdb = op('ReduceSum', [dy, ints([0, 2, 3])], sums);
    const sdg = op('ReduceSum', [op('Mul', [dy, c.xhat]), ints([0, 2, 3])], sums);
    reshape(sdb, [cout], `grad:${c.bn}.bias`);
    reshape(sdg, [cout], `grad:${c.bn}.weight`);
    const M = N * c.outH * c.outH;
    const invM = floats(`1/${M}`, [], [1 / M]);
    const dz = op('Mul', [
      op('Sub', [op('Sub', [dy, op('Mul', [sdb, invM])]), op('Mul', [c.xhat, op('Mul', [sdg, invM])])]),
      op('Mul', [c.gamma4, c.invstd]),
    ]);

    // dW from each plane's im2col: (N C, 1, H, W) convolved with the k k one-hot filters gives (N, C k k, H' W'),
    // columns ordered (c, i, j) as OIHW's.
    part = 'backward: filter gradients';
    const pad = c.k === 3 ? 1 : 0;
    const taps = c.k * c.k;
    const onehot = Array.from({ length: taps * taps }, (_, i) => (Math.floor(i / taps) === i % taps ? 1 : 0));
    const onehotW = floats(`onehot${c.k}`, [taps, 1, c.k, c.k], onehot);
    const hw = c.outH * c.outH;
    const im2col = (x: string, n: number) =>
      reshape(
        op(
          'Conv',
          [reshape(x, [n * cin, 1, c.inH, c.inH]), onehotW],
          [
            intsAttribute('kernel_shape', [c.k, c.k]),
            intsAttribute('pads', [pad, pad, pad, pad]),
            intsAttribute('strides', [c.stride, c.stride]),
          ],
        ),
        [n, cin * taps, hw],
      );
    const gradW = `grad:${c.weight}`;
    if (cout * 4 <= hw) {
      // Large images, few filters (early stages): one product per sample (K = H' W'), then the sum over samples,
      // in chunks of samples whose im2col stays about IM2COL_CHUNK floats, so that it is still in cache when read.
      const per = Math.max(1, Math.floor((o.im2colChunk ?? IM2COL_CHUNK) / (cin * taps * hw)));
      const sizes = Array.from({ length: Math.ceil(N / per) }, (_, i) => Math.min(per, N - i * per));
      const xs = split(c.x, sizes);
      const dzs = split(dz, sizes);
      const parts = sizes.map((n, i) => {
        const perSample = op('MatMul', [
          im2col(xs[i], n),
          transpose(reshape(dzs[i], [n, cout, hw]), [0, 2, 1]),
        ]);
        return op('ReduceSum', [perSample, ints([0])], [intAttribute('keepdims', 0)]);
      });
      const summed = parts.length === 1 ? parts[0] : op('Sum', parts);
      reshape(transpose(summed, [1, 0]), [cout, cin, c.k, c.k], gradW);
    } else {
      // Small images, many filters (late stages): per-sample products would outgrow the images; one product over
      // K = N H' W' with samples and positions side by side.
      const colsK = reshape(transpose(im2col(c.x, N), [1, 0, 2]), [cin * taps, N * hw]);
      const dzK = reshape(transpose(reshape(dz, [N, cout, hw]), [1, 0, 2]), [cout, N * hw]);
      reshape(op('Gemm', [dzK, colsK], [intAttribute('transB', 1)]), [cout, cin, c.k, c.k], gradW);
    }

    if (!needDx) return null;
    part = 'backward: input gradients';
    if (c.stride === 1) {
      // dx = dz convolved with the filter flipped in space, input and output channels swapped.
      const flip = op('Slice', [transpose(c.weight, [1, 0, 2, 3]), ints([-1, -1]), ints([-(2 ** 31), -(2 ** 31)]), ints([2, 3]), ints([-1, -1])]); // prettier-ignore
      return op('Conv', [dz, flip], [intsAttribute('kernel_shape', [c.k, c.k]), intsAttribute('pads', [pad, pad, pad, pad])]); // prettier-ignore
    }
    const outPad = c.inH - ((c.outH - 1) * c.stride + c.k - 2 * pad);
    return op(
      'ConvTranspose',
      [dz, c.weight],
      [
        intsAttribute('kernel_shape', [c.k, c.k]),
        intsAttribute('pads', [pad, pad, pad, pad]),
        intsAttribute('strides', [c.stride, c.stride]),
        intsAttribute('output_padding', [outPad, outPad]),
      ],
    );
  };

  // forward
  const stem = convBn('x', 'conv1', 'bn1', 1, true, 32);
  let h = stem.out;
  let side = 32;
  const blocks = blockSpecs(width).map((b) => {
    const p = b.prefix;
    const c1 = convBn(h, `${p}.conv1`, `${p}.bn1`, b.stride, true, side);
    const c2 = convBn(c1.out, `${p}.conv2`, `${p}.bn2`, 1, false, c1.outH);
    const sc = b.projection ? convBn(h, `${p}.shortcut.0`, `${p}.shortcut.1`, b.stride, false, side) : null;
    const y = op('Relu', [op('Add', [c2.out, sc ? sc.out : h])]);
    h = y;
    side = c1.outH;
    return { c1, c2, sc, y };
  });
  part = 'loss and classifier';
  const features = op('ReduceMean', [h], [intsAttribute('axes', [2, 3]), intAttribute('keepdims', 0)]);
  op('Gemm', [features, 'linear.weight', 'linear.bias'], [intAttribute('transB', 1)], 'logits');
  output('logits', [N, numClasses]);
  const logp = op('LogSoftmax', ['logits'], [intAttribute('axis', 1)]);
  op('Neg', [op('ReduceSum', [op('Mul', ['target', logp])], [intAttribute('keepdims', 0)])], [], 'loss');
  output('loss', []);

  // backward
  part = 'loss and classifier';
  const dlogits = op('Mul', [op('Sub', [op('Exp', [logp]), 'target']), 'scale']);
  op('Gemm', [dlogits, features], [intAttribute('transA', 1)], 'grad:linear.weight');
  op('ReduceSum', [dlogits, ints([0])], [intAttribute('keepdims', 0)], 'grad:linear.bias');
  const dfeatures = op('Mul', [
    op('MatMul', [dlogits, 'linear.weight']),
    floats('1/area', [], [1 / (side * side)]),
  ]);
  let dh = op('Expand', [reshape(dfeatures, [N, 8 * width, 1, 1]), ints([N, 8 * width, side, side])]);
  for (let i = blocks.length - 1; i >= 0; i--) {
    const { c1, c2, sc, y } = blocks[i];
    part = 'backward: batch norm, ReLU';
    const g = reluGrad(dh, y);
    const dx1 = convBnGrad(convBnGrad(g, c2, true)!, c1, true)!;
    const dsc = sc ? convBnGrad(g, sc, true)! : g;
    part = 'backward: input gradients';
    dh = op('Add', [dx1, dsc]);
  }
  convBnGrad(dh, stem, false);
  for (const s of params) output(`grad:${s.name}`, graphShape(s));

  return encodeModel({
    irVersion: 7,
    producerName: 'OODLab',
    opsetImport: [{ domain: '', version: TRAIN_OPSET }],
    graph: {
      name: 'oodlab_resnet18_train_step',
      node: nodes,
      initializer: inits,
      input: [
        valueInfo('x', [N, 3, 32, 32]),
        valueInfo('target', [N, numClasses]),
        valueInfo('scale', []),
        ...params.map((s) => valueInfo(s.name, graphShape(s))),
      ],
      output: outputs,
    },
  });
}
