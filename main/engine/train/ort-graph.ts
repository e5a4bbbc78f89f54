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
// Layout: with `nchwcBlock` B (ONNX Runtime's NCHWc block size on this CPU), every activation whose channel count B
// divides stays in ONNX Runtime's blocked layout (N, C / B, H, W, B) from the convolution that makes it to the ones
// that read it, forward and backward, and those convolutions (stride-1 input gradients included) run through its
// direct NCHWc kernels (com.microsoft.nchwc Conv, filters re-laid out in the graph as OIHWBiBo). The im2col, the
// stride-2 input gradients (ConvTranspose) and the late stages' filter-gradient GEMM read a plain NCHW copy
// (ReorderOutput, one per tensor). At width 16 this took a step from 233 to 199 ms (ONNX Runtime's profiler).
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
/** ONNX Runtime's contrib domain of its blocked-layout (NCHWc) CPU kernels. */
const NCHWC = 'com.microsoft.nchwc';

/** Floats of im2col per chunk of samples in the early stages' filter gradients (4 MiB). */
const IM2COL_CHUNK = 1 << 20;

/** A spec tensor's shape in the graph: convolutions HWIO -> OIHW, the others as they are. */
export function graphShape(spec: Pick<TensorSpec, 'shape'>): number[] {
  return spec.shape.length === 4 ? oihwShape(spec.shape) : spec.shape;
}

/** An activation: its name in the graph, and whether it is laid out in NCHWc blocks (then its name is the 5-D
 * (N, C / B, H, W, B) view of the block layout, else the 4-D NCHW tensor). */
interface Act {
  name: string;
  c: number;
  side: number;
  blocked: boolean;
}

/** What the backward pass of one conv + BN (+ ReLU) needs from its forward pass. */
interface ConvBn {
  x: Act;
  out: Act;
  weight: string;
  bn: string;
  stride: number;
  k: number;
  xhat: string;
  invstd: string;
  /** BN's scale, shaped per channel for the activation's layout. */
  gamma: string;
  /** The ReLU's output, when the op ends in one. */
  relu: string | null;
}

export interface TrainGraphOptions {
  /** Floats of im2col per chunk of samples (IM2COL_CHUNK; tests make it small to cut every batch into pieces). */
  im2colChunk?: number;
  /**
   * ONNX Runtime's NCHWc block size on this CPU (nchwcBlockSize(): 16 with AVX-512, 8 with AVX2), or 0. Activations
   * whose channel count it divides are kept in its blocked layout, and their convolutions run through its direct
   * NCHWc kernels (com.microsoft.nchwc Conv) instead of im2col and a GEMM.
   */
  nchwcBlock?: number;
}

/** The training-step graph of a ResNet-18 of this width and class count, for batches of exactly `batch` images. */
export function trainStepGraph(
  arch: { width: number; numClasses: number },
  batch: number,
  o: TrainGraphOptions = {},
): Uint8Array {
  const { width, numClasses } = arch;
  const N = batch;
  const B = o.nchwcBlock ?? 0;
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const outputs: ReturnType<typeof valueInfo>[] = [];
  let serial = 0;
  // Node names start with the part of the step they belong to (bench/train-profile.ts --engine onnxruntime sums by it).
  let part = 'forward';
  const op = (
    opType: string,
    input: string[],
    attribute: NodeProto['attribute'] = [],
    name?: string,
    domain = '',
  ) => {
    const out = name ?? `t${serial++}_${opType}`;
    nodes.push({ name: `${part}/${serial++}`, opType, input, output: [out], attribute, domain });
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

  // The layouts. A blocked activation is one tensor in memory; its 4-D NCHW-shaped name is what the NCHWc kernels
  // take, its 5-D view what per-channel arithmetic broadcasts against (the channel c sits at (c / B, c % B)).
  const isBlocked = (c: number) => B > 0 && c % B === 0;
  const act = (name: string, c: number, side: number, blocked: boolean): Act => ({ name, c, side, blocked });
  /** The tensor as the convolutions take it: (N, C, H, W), in blocks when blocked. */
  const flat = (a: Act) => (a.blocked ? reshape(a.name, [N, a.c, a.side, a.side]) : a.name);
  /** A convolution's (N, C, H, W) output as an activation of the given layout. */
  const fromFlat = (x: string, c: number, side: number, blocked: boolean) =>
    act(blocked ? reshape(x, [N, c / B, side, side, B]) : x, c, side, blocked);
  /** Per-channel vectors shaped to broadcast against an activation. */
  const perChannel = (x: string, c: number, blocked: boolean) =>
    reshape(x, blocked ? [1, c / B, 1, 1, B] : [1, c, 1, 1]);
  // Per-channel arithmetic in the blocked layout: ONNX Runtime's broadcasting walks (1, C / B, 1, 1, B) against an
  // activation B floats at a time, and its reductions have no fast path for the kept axes (1, 4) of five (the two
  // cost 40 ms a step at width 16 when written as in the plain layout). So a per-channel vector is first spread over
  // one image (Expand: C H W floats), which the activation then broadcasts against along N alone; and the sum over
  // N, H, W is taken over N first (whole rows), then over H, W (the middle axes, between C / B and B).
  const spread = (v: string, a: Act) =>
    a.blocked ? op('Expand', [v, ints([1, a.c / B, a.side, a.side, B])]) : v;
  /** ReduceSum or ReduceMean over N, H, W: (1, C, 1, 1), or (1, C / B, 1, 1, B) when blocked. */
  const channelReduce = (kind: 'ReduceSum' | 'ReduceMean', a: Act) => {
    const over = (t: string, axes: number[]) =>
      kind === 'ReduceSum'
        ? op(kind, [t, ints(axes)], [intAttribute('keepdims', 1)])
        : op(kind, [t], [intsAttribute('axes', axes), intAttribute('keepdims', 1)]);
    return a.blocked ? over(over(a.name, [0]), [2, 3]) : over(a.name, [0, 2, 3]);
  };
  const plainOf = new Map<string, string>();
  /** The activation in plain NCHW (one reorder per blocked tensor, shared by whoever needs it). */
  const plain = (a: Act) => {
    if (!a.blocked) return a.name;
    let p = plainOf.get(a.name);
    if (!p)
      plainOf.set(
        a.name,
        (p = op('ReorderOutput', [flat(a)], [intAttribute('channels', a.c)], undefined, NCHWC)),
      );
    return p;
  };
  /** A plain (N, C, H, W) tensor in the layout its channel count calls for. */
  const toLayout = (x: string, c: number, side: number) =>
    fromFlat(isBlocked(c) ? op('ReorderInput', [x], [], undefined, NCHWC) : x, c, side, isBlocked(c));

  /** A convolution of x with an OIHW filter; its output in the layout its channel count calls for. */
  const convolve = (
    x: Act,
    w: string,
    cout: number,
    k: number,
    pad: number,
    stride: number,
    outSide: number,
  ) => {
    const attrs = [
      intsAttribute('kernel_shape', [k, k]),
      intsAttribute('pads', [pad, pad, pad, pad]),
      intsAttribute('strides', [stride, stride]),
    ];
    if (x.blocked && isBlocked(cout)) {
      // OIHW -> the NCHWc kernels' OIHWBiBo: (O/B, Bo, I/B, Bi, k, k) -> (O/B, I/B, k, k, Bi, Bo).
      const blocks = reshape(transpose(reshape(w, [cout / B, B, x.c / B, B, k, k]), [0, 2, 4, 5, 3, 1]), [cout, x.c, k, k]); // prettier-ignore
      return fromFlat(op('Conv', [flat(x), blocks], attrs, undefined, NCHWC), cout, outSide, true);
    }
    return toLayout(op('Conv', [plain(x), w], attrs), cout, outSide);
  };

  const specs = tensorSpecs(width, numClasses);
  const shapeOf = new Map(specs.map((s) => [s.name, graphShape(s)]));
  const params = specs.filter((s) => isTrainable(s.role));

  const convBn = (x: Act, conv: string, bn: string, stride: number, relu: boolean): ConvBn => {
    const weight = `${conv}.weight`;
    const [cout, , k] = shapeOf.get(weight)!;
    const pad = k === 3 ? 1 : 0;
    const outSide = Math.floor((x.side + 2 * pad - k) / stride) + 1;
    const z = convolve(x, weight, cout, k, pad, stride, outSide);
    const mean = channelReduce('ReduceMean', z);
    const centred = op('Sub', [z.name, spread(mean, z)]);
    const variance = channelReduce('ReduceMean', { ...z, name: op('Mul', [centred, centred]) });
    const invstd = op('Reciprocal', [op('Sqrt', [op('Add', [variance, eps])])]);
    const xhat = op('Mul', [centred, spread(invstd, z)]);
    const gamma = perChannel(`${bn}.weight`, cout, z.blocked);
    const beta = perChannel(`${bn}.bias`, cout, z.blocked);
    const pre = op('Add', [op('Mul', [xhat, spread(gamma, z)]), spread(beta, z)]);
    reshape(mean, [cout], `mean:${bn}`);
    const M = N * outSide * outSide;
    reshape(op('Mul', [variance, floats(`unbias${M}`, [], [M / Math.max(M - 1, 1)])]), [cout], `var:${bn}`);
    output(`mean:${bn}`, [cout]);
    output(`var:${bn}`, [cout]);
    const y = relu ? op('Relu', [pre]) : null;
    const out = act(y ?? pre, cout, outSide, z.blocked);
    return { x, out, weight, bn, stride, k, xhat, invstd, gamma, relu: y };
  };

  /** dy where a ReLU's output is > 0, else 0. */
  // (Mul by the cast mask measured 3-5% faster a step than Where, and than Mul by Sign(y).)
  const reluGrad = (dy: string, y: string) =>
    op('Mul', [dy, op('Cast', [op('Greater', [y, zero])], [intAttribute('to', FLOAT)])]);

  /** Backward through BN (and its ReLU) and the convolution; returns dx, or null when x is the image. */
  const convBnGrad = (dyIn: string, c: ConvBn, needDx: boolean): Act | null => {
    part = 'backward: batch norm, ReLU';
    const dy = c.relu ? reluGrad(dyIn, c.relu) : dyIn;
    const [cout, cin] = shapeOf.get(c.weight)!;
    const side = c.out.side;
    const sdb = channelReduce('ReduceSum', { ...c.out, name: dy });
    const sdg = channelReduce('ReduceSum', { ...c.out, name: op('Mul', [dy, c.xhat]) });
    reshape(sdb, [cout], `grad:${c.bn}.bias`);
    reshape(sdg, [cout], `grad:${c.bn}.weight`);
    const M = N * side * side;
    const invM = floats(`1/${M}`, [], [1 / M]);
    const dzName = op('Mul', [
      op('Sub', [
        op('Sub', [dy, spread(op('Mul', [sdb, invM]), c.out)]),
        op('Mul', [c.xhat, spread(op('Mul', [sdg, invM]), c.out)]),
      ]),
      spread(op('Mul', [c.gamma, c.invstd]), c.out),
    ]);
    const dz = act(dzName, cout, side, c.out.blocked);

    // dW from each plane's im2col: (N C, 1, H, W) convolved with the k k one-hot filters gives (N, C k k, H' W'),
    // columns ordered (c, i, j) as OIHW's.
    part = 'backward: filter gradients';
    const pad = c.k === 3 ? 1 : 0;
    const taps = c.k * c.k;
    const onehot = Array.from({ length: taps * taps }, (_, i) => (Math.floor(i / taps) === i % taps ? 1 : 0));
    const onehotW = floats(`onehot${c.k}`, [taps, 1, c.k, c.k], onehot);
    const hw = side * side;
    const im2col = (x: string, n: number) =>
      reshape(
        op(
          'Conv',
          [reshape(x, [n * cin, 1, c.x.side, c.x.side]), onehotW],
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
      const xs = split(plain(c.x), sizes);
      const dzs = split(dz.name, sizes);
      // A blocked dz is already (n, O / B, H' W', B): each block of filters is the right operand as it lies.
      const product = (cols: string, d: string, n: number) =>
        dz.blocked
          ? op('MatMul', [reshape(cols, [n, 1, cin * taps, hw]), reshape(d, [n, cout / B, hw, B])])
          : op('MatMul', [cols, transpose(reshape(d, [n, cout, hw]), [0, 2, 1])]);
      const parts = sizes.map((n, i) =>
        op('ReduceSum', [product(im2col(xs[i], n), dzs[i], n), ints([0])], [intAttribute('keepdims', 0)]),
      );
      const summed = parts.length === 1 ? parts[0] : op('Sum', parts);
      // (O / B, C k k, B) or (C k k, O) -> OIHW
      reshape(transpose(summed, dz.blocked ? [0, 2, 1] : [1, 0]), [cout, cin, c.k, c.k], gradW);
    } else {
      // Small images, many filters (late stages): per-sample products would outgrow the images; one product over
      // K = N H' W' with samples and positions side by side.
      const colsK = reshape(transpose(im2col(plain(c.x), N), [1, 0, 2]), [cin * taps, N * hw]);
      const dzK = reshape(transpose(reshape(plain(dz), [N, cout, hw]), [1, 0, 2]), [cout, N * hw]);
      reshape(op('Gemm', [dzK, colsK], [intAttribute('transB', 1)]), [cout, cin, c.k, c.k], gradW);
    }

    if (!needDx) return null;
    part = 'backward: input gradients';
    if (c.stride === 1) {
      // dx = dz convolved with the filter flipped in space, input and output channels swapped.
      const flip = op('Slice', [transpose(c.weight, [1, 0, 2, 3]), ints([-1, -1]), ints([-(2 ** 31), -(2 ** 31)]), ints([2, 3]), ints([-1, -1])]); // prettier-ignore
      return convolve(dz, flip, cin, c.k, pad, 1, c.x.side);
    }
    const outPad = c.x.side - ((side - 1) * c.stride + c.k - 2 * pad);
    const dx = op(
      'ConvTranspose',
      [plain(dz), c.weight],
      [
        intsAttribute('kernel_shape', [c.k, c.k]),
        intsAttribute('pads', [pad, pad, pad, pad]),
        intsAttribute('strides', [c.stride, c.stride]),
        intsAttribute('output_padding', [outPad, outPad]),
      ],
    );
    return toLayout(dx, cin, c.x.side);
  };

  // forward
  const stem = convBn(act('x', 3, 32, false), 'conv1', 'bn1', 1, true);
  let h = stem.out;
  const blocks = blockSpecs(width).map((b) => {
    const p = b.prefix;
    const c1 = convBn(h, `${p}.conv1`, `${p}.bn1`, b.stride, true);
    const c2 = convBn(c1.out, `${p}.conv2`, `${p}.bn2`, 1, false);
    const sc = b.projection ? convBn(h, `${p}.shortcut.0`, `${p}.shortcut.1`, b.stride, false) : null;
    const y = { ...c2.out, name: op('Relu', [op('Add', [c2.out.name, (sc ? sc.out : h).name])]) };
    h = y;
    return { c1, c2, sc, y };
  });
  part = 'loss and classifier';
  const C = 8 * width;
  const side = h.side;
  // The mean over H, W: axes 2, 3 in either layout; a blocked (N, C / B, B) is (N, C) in channel order.
  const features = reshape(op('ReduceMean', [h.name], [intsAttribute('axes', [2, 3]), intAttribute('keepdims', 0)]), [N, C]); // prettier-ignore
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
  const pooled = h.blocked ? [N, C / B, 1, 1, B] : [N, C, 1, 1];
  let dh = op('Expand', [
    reshape(dfeatures, pooled),
    ints(pooled.map((d, i) => (i === 2 || i === 3 ? side : d))),
  ]);
  for (let i = blocks.length - 1; i >= 0; i--) {
    const { c1, c2, sc, y } = blocks[i];
    part = 'backward: batch norm, ReLU';
    const g = reluGrad(dh, y.name);
    const dx1 = convBnGrad(convBnGrad(g, c2, true)!.name, c1, true)!;
    const dsc = sc ? convBnGrad(g, sc, true)!.name : g;
    part = 'backward: input gradients';
    dh = op('Add', [dx1.name, dsc]);
  }
  convBnGrad(dh, stem, false);
  for (const s of params) output(`grad:${s.name}`, graphShape(s));

  return encodeModel({
    irVersion: 7,
    producerName: 'OODLab',
    opsetImport: [{ domain: '', version: TRAIN_OPSET }, ...(B ? [{ domain: NCHWC, version: 1 }] : [])],
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

/** ReorderInput of x (1, 32, 1, 2) to y: ort-engine.ts' nchwcBlockSize() reads the block size from it. */
export function nchwcProbeGraph(): Uint8Array {
  return encodeModel({
    irVersion: 7,
    producerName: 'OODLab',
    opsetImport: [
      { domain: '', version: TRAIN_OPSET },
      { domain: NCHWC, version: 1 },
    ],
    graph: {
      name: 'oodlab_nchwc_probe',
      node: [{ name: 'reorder', opType: 'ReorderInput', domain: NCHWC, input: ['x'], output: ['y'] }],
      input: [valueInfo('x', [1, 32, 1, 2])],
      output: [valueInfo('y', [1, 32, 1, 2])],
    },
  });
}
