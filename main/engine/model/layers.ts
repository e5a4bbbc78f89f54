/**
 * The ResNet's layers as tfjs ops. Batch normalisation carries a hand-written gradient (tf.customGrad): the
 * closed form needs two per-channel sums and one fused pass, instead of the dozen full-size ops that
 * differentiating mean/variance/normalise op by op would record. Running statistics follow PyTorch:
 * running = 0.9 running + 0.1 batch (momentum 0.1 in PyTorch's terms), with the unbiased batch variance.
 */
import { tf } from '../backend';
import {
  addReluFused,
  bnApplyFused,
  bnGradApplyFused,
  bnGradSumsFused,
  centredSquaresFused,
  fusedBnGradApplies,
  reluMaskFused,
} from '../backend/wasm/bn';

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.9;

const pad1: [[number, number], [number, number], [number, number], [number, number]] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

/** 3x3 convolution with PyTorch's symmetric padding 1 (not TF's 'same', which pads bottom/right at stride 2). */
export function conv3x3(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.conv2d(x, w, stride, pad1);
}

export function conv1x1(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.conv2d(x, w, stride, 'valid');
}

/** Sum over batch and space of an NHWC tensor: one value per channel. */
export function channelSum(t: tf.Tensor): tf.Tensor1D {
  const c = t.shape[t.rank - 1];
  return tf.sum(tf.reshape(t, [-1, c]), 0);
}

export interface RunningStats {
  mean: tf.Variable;
  variance: tf.Variable;
}

/**
 * Training-mode batch norm over N, H, W; updates `running` in place (not differentiated).
 * Gradient (per channel, M = N*H*W, xhat = (x - mean) * invstd):
 *   dbeta = sum(dy), dgamma = sum(dy xhat), dx = gamma invstd (dy - dbeta/M - xhat dgamma/M).
 * sum(dy xhat) is formed as invstd (sum(dy x) - mean sum(dy)), which lets wasm take both sums in one fused pass;
 * PyTorch sums dy (x - mean) instead, which cancels less in float32 when |mean| >> std. Measured against float64
 * finite differences (test/unit/engine/backend/gradients.spec.ts, |mean|/std up to 100) both forms stay within 5e-5,
 * and the whole step matches PyTorch float64 to 4e-6 (bench/fidelity/run.ts), so the fused form is kept.
 * With relu, the op is max(0, BN(x)): the ReLU's gradient (dy where the output is > 0) is applied inside, so that on
 * wasm neither direction takes a pass of its own (at width 8 the ReLUs were 16-21% of a step).
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  running: RunningStats,
  relu = false,
): tf.Tensor4D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const m = xi.size / xi.shape[3];
    const mean = tf.div(channelSum(xi), m) as tf.Tensor1D;
    const squares = fusedBnGradApplies(xi)
      ? centredSquaresFused(xi, mean)
      : channelSum(tf.squaredDifference(xi, mean));
    const variance = tf.div(squares, m) as tf.Tensor1D;
    const invstd = tf.rsqrt(tf.add(variance, BN_EPS)) as tf.Tensor1D;
    running.mean.assign(tf.add(tf.mul(running.mean, BN_MOMENTUM), tf.mul(mean, 1 - BN_MOMENTUM)));
    const unbiased = tf.mul(variance, m / Math.max(m - 1, 1));
    running.variance.assign(tf.add(tf.mul(running.variance, BN_MOMENTUM), tf.mul(unbiased, 1 - BN_MOMENTUM)));
    // On wasm, the output (and the ReLU) in one SIMD pass (backend/wasm/bn.ts).
    const value = fusedBnGradApplies(xi)
      ? (bnApplyFused(xi, mean, tf.mul(g, invstd) as tf.Tensor1D, b, relu) as tf.Tensor4D)
      : relu
        ? tf.relu(tf.batchNorm4d(xi, mean, variance, b, g, BN_EPS))
        : tf.batchNorm4d(xi, mean, variance, b, g, BN_EPS);
    save(relu ? [xi, g, mean, invstd, value] : [xi, g, mean, invstd]);
    const gradFunc = (dyOut: tf.Tensor4D, saved: tf.Tensor[]): tf.Tensor[] => {
      const [sx, sg, smean, sinv, sy] = saved as [
        tf.Tensor4D,
        tf.Tensor1D,
        tf.Tensor1D,
        tf.Tensor1D,
        tf.Tensor4D?,
      ];
      // On wasm, both sums in one SIMD pass and dx in another, the ReLU's gradient (dy where y > 0) inside both
      // (backend/wasm/bn.ts); elsewhere the ReLU's gradient is tfjs' own, dy step(y).
      const fused = fusedBnGradApplies(sx);
      const dy = sy && !fused ? (tf.mul(dyOut, tf.step(sy)) as tf.Tensor4D) : dyOut;
      const [sdy, sdyx] = fused ? bnGradSumsFused(dy, sx, sy) : [channelSum(dy), channelSum(tf.mul(dy, sx))];
      // sum(dy * xhat) = invstd * (sum(dy x) - mean sum(dy))
      const sdyxhat = tf.mul(sinv, tf.sub(sdyx, tf.mul(smean, sdy)));
      const a = tf.mul(sg, sinv);
      // dx = a dy + xc bcoef + ccoef, with bcoef = -a invstd dgamma / M and ccoef = -a dbeta / M
      const bcoef = tf.div(tf.mul(tf.neg(a), tf.mul(sinv, sdyxhat)), m);
      const ccoef = tf.div(tf.mul(a, tf.sub(tf.mul(tf.mul(sinv, smean), sdyxhat), sdy)), m);
      const dx = fused
        ? bnGradApplyFused(dy, sx, a as tf.Tensor1D, bcoef as tf.Tensor1D, ccoef as tf.Tensor1D, sy)
        : tf.add(tf.mul(dy, a), tf.add(tf.mul(sx, bcoef), ccoef));
      return [dx, sdyxhat, sdy];
    };
    return { value, gradFunc };
  });
  return f(x, gamma, beta) as tf.Tensor4D;
}

/** Whether the ReLUs run inside batch norm's op and the residual add's (OODLAB_FUSED_RELU=0: tfjs' Relu, to compare). */
export const reluFused = () => process.env.OODLAB_FUSED_RELU !== '0';

/**
 * A residual block's end, max(0, a + b), as one op: on wasm one SIMD pass forward and one backward (the gradient of
 * both inputs is dy where the output is > 0), where tfjs takes Add, Relu, then Step and Multiply. Elsewhere (and at
 * inference, which records no gradient) the same through tfjs' ops.
 */
export function addRelu(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  if (!reluFused() || !fusedBnGradApplies(a) || a.shape.join() !== b.shape.join())
    return tf.relu(tf.add(a, b)) as tf.Tensor4D;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [ai, bi] = args as [tf.Tensor4D, tf.Tensor4D];
    const save = args[2] as tf.GradSaveFunc;
    const value = addReluFused(ai, bi) as tf.Tensor4D;
    save([value]);
    const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]): tf.Tensor[] => {
      const g = reluMaskFused(dy, saved[0]);
      return [g, tf.clone(g)];
    };
    return { value, gradFunc };
  });
  return f(a, b) as tf.Tensor4D;
}

/**
 * Inference-mode convolution + batch norm (+ ReLU) as ONE fused convolution: BN with running statistics is an
 * affine map per output channel, so it folds into the filter (w * gamma / sqrt(var + eps)) and a bias
 * (beta - mean * gamma / sqrt(var + eps)). Folding per call costs one pass over the weights, far less than the
 * activations' passes it saves, and can never go stale after an update.
 */
export function convBnEval(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  running: RunningStats,
  relu: boolean,
): tf.Tensor4D {
  return tf.tidy(() => {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(running.variance, BN_EPS)));
    const bias = tf.sub(beta, tf.mul(running.mean, scale));
    const filter = tf.mul(w, scale) as tf.Tensor4D;
    const pad = w.shape[0] === 3 ? pad1 : 'valid';
    return tf.fused.conv2d({ x, filter, strides: stride, pad, bias, activation: relu ? 'relu' : 'linear' });
  });
}
