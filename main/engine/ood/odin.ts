// ODIN: temperature scaling plus input perturbation. Liang, Li & Srikant, "Enhancing The Reliability of
// Out-of-distribution Image Detection in Neural Networks", ICLR 2018 (OpenOOD `odin_postprocessor.py`).
//   y^ = argmax f(x);  L(x) = CE(f(x) / T, y^)                  (mean over the batch, as torch's CrossEntropyLoss)
//   g = sign(dL/dx) with 0 counted as +1 (OpenOOD: (x.grad >= 0) * 2 - 1), divided per channel by the input std
//   x~ = x - eps * g                                             (x is the normalised input)
//   score(x) = max_c softmax(f(x~) / T)_c
// Dividing by the normalisation's std makes eps a step in [0, 1] pixel units, as in the paper's code. Unlike the
// other detectors ODIN needs the network itself (two forward passes and one backward pass to the input per image),
// so it is computed from the images of a run OODLab trained (odin-run.ts), never from a features folder: features
// brought from elsewhere carry no network, and ODIN is reported unavailable for them. The defaults and the grid are
// OpenOOD's (configs/postprocessors/odin.yml: T = 1000, eps = 0.0014; sweep T in {1, 10, 100, 1000} x eps in
// {0.0014, 0.0028}). When the evaluation sweeps, ODIN is tuned like the other detectors (sweep.ts): scored on the
// images of the same validation split (held-out ID images, validation OOD images) at every grid point not fixed by
// the user, the highest AUROC wins (then the lowest FPR@95), and the test sets are scored at that point only.
// Cost of the sweep: 8 points x (validation ID + validation OOD images) ODIN evaluations, each two forward passes
// and one backward pass to the input (about four inference passes); with CIFAR's 5,000 held-out ID images and
// 5,000 validation OOD images that is 80,000 evaluations, against about 165,000 for scoring ID test and OpenOOD's
// six CIFAR OOD test sets once.
import { tf } from '../backend';

export const odinSpec = {
  label: 'ODIN',
  paper: 'Liang et al., ICLR 2018',
  defaults: { odinT: 1000, odinEps: 0.0014 },
  grid: { odinT: [1, 10, 100, 1000], odinEps: [0.0014, 0.0028] },
};

/** logits of a batch of normalised NHWC images; the caller's network in eval mode. */
export type Forward = (x: tf.Tensor4D) => tf.Tensor2D;

/** ODIN scores of one batch x (normalised, NHWC, count x H x W x channels), float64. */
export async function odinBatch(
  forward: Forward,
  x: Float32Array,
  shape: [number, number, number, number],
  p: { T: number; eps: number; std: readonly number[] },
): Promise<Float64Array> {
  const { T, eps, std } = p;
  if (!(T > 0)) throw new RangeError(`ODIN: the temperature must be positive (got ${T}).`);
  if (!(eps >= 0)) throw new RangeError(`ODIN: the perturbation must be >= 0 (got ${eps}).`);
  const [count, , , ch] = shape;
  const probs = tf.tidy(() => {
    const input = tf.tensor4d(x, shape);
    const first = forward(input);
    const labels = tf.oneHot(tf.argMax(first, 1), first.shape[1]);
    // Only kernels with registered gradients (backend/gradients.ts): products by 1/T and 1/count, no division.
    const loss = (v: tf.Tensor) =>
      tf.mul(
        tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(tf.mul(forward(v as tf.Tensor4D), 1 / T))))),
        1 / count,
      );
    const grad = tf.grad(loss)(input);
    const sign = tf.sub(tf.mul(tf.cast(tf.greaterEqual(grad, 0), 'float32'), 2), 1);
    const perInvStd = tf.tensor1d(Array.from({ length: ch }, (_, c) => 1 / std[c]));
    const moved = tf.sub(input, tf.mul(tf.mul(sign, perInvStd), eps)) as tf.Tensor4D;
    return tf.max(tf.softmax(tf.mul(forward(moved), 1 / T)), 1);
  });
  const out = Float64Array.from(await probs.data());
  probs.dispose();
  return out;
}
