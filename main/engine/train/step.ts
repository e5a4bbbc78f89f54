/**
 * One optimisation step and one evaluation batch. A batch may be split into micro-batches whose gradients
 * are accumulated (each scaled by its share of the batch) before a single SGD update: that bounds memory
 * (batch 128 at width 64 does not fit wasm's 4 GiB heap at once). BN statistics are then per micro-batch,
 * as with gradient accumulation in PyTorch. Values are read back with one async data() call per step.
 */
import { tf } from '../backend';
import type { ResNet18 } from '../model/resnet';
import type { Sgd } from './sgd';

export interface StepOptions {
  /** Label smoothing epsilon in [0, 1): target = (1 - eps) one-hot + eps / classes. */
  labelSmoothing: number;
  /** Split the batch into chunks of at most this many examples (accumulating gradients). */
  microBatch?: number;
  /** Sees the batch's accumulated gradients (by parameter name) before the update; the fidelity harness reads them. */
  onGrads?: (grads: ReadonlyMap<string, tf.Tensor>) => void;
}

/** Sum over the batch of the label-smoothed cross-entropy. */
export function crossEntropySum(logits: tf.Tensor2D, labels: tf.Tensor1D, smoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const logp = tf.logSoftmax(logits);
    let target = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), classes), 'float32');
    if (smoothing > 0) target = tf.add(tf.mul(target, 1 - smoothing), smoothing / classes);
    return tf.neg(tf.sum(tf.mul(target, logp))) as tf.Scalar;
  });
}

/** Number of rows whose arg-max equals the label (as a float scalar). */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')));
}

function chunks(n: number, size: number | undefined): [number, number][] {
  const s = size && size > 0 && size < n ? Math.floor(size) : n;
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += s) out.push([start, Math.min(s, n - start)]);
  return out;
}

function rows<T extends tf.Tensor>(t: T, start: number, count: number): T {
  if (start === 0 && count === t.shape[0]) return t;
  const begin = t.shape.map((_, i) => (i === 0 ? start : 0));
  const size = t.shape.map((d, i) => (i === 0 ? count : d));
  return tf.slice(t, begin, size) as T;
}

/** Forward, backward and one SGD update on (x, labels). Returns the batch's mean loss and its correct count. */
export async function trainStep(
  model: ResNet18,
  opt: Sgd,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  o: StepOptions,
): Promise<{ loss: number; correct: number }> {
  const n = x.shape[0];
  const params = model.trainable();
  const varList = params.map((p) => p.variable);
  const specName = new Map(params.map((p) => [p.variable.name, p.name]));
  const grads = new Map<string, tf.Tensor>();
  let totals = tf.zeros([2]);
  try {
    for (const [start, count] of chunks(n, o.microBatch)) {
      const { value, grads: g } = tf.tidy(() => {
        const xs = rows(x, start, count);
        const ys = rows(labels, start, count);
        let correct: tf.Scalar | null = null;
        const res = tf.variableGrads(() => {
          const { logits } = model.forward(xs, true);
          correct = tf.keep(countCorrect(logits, ys));
          return tf.mul(crossEntropySum(logits, ys, o.labelSmoothing), 1 / n) as tf.Scalar;
        }, varList);
        const kept = correct as unknown as tf.Scalar;
        const stats = tf.stack([res.value, kept]);
        kept.dispose();
        return { value: stats, grads: res.grads };
      });
      for (const [vname, grad] of Object.entries(g)) {
        const name = specName.get(vname) ?? vname;
        const prev = grads.get(name);
        if (prev) {
          grads.set(name, tf.add(prev, grad));
          prev.dispose();
          grad.dispose();
        } else grads.set(name, grad);
      }
      const next = tf.add(totals, value);
      totals.dispose();
      value.dispose();
      totals = next;
    }
  } catch (err) {
    // A chunk that failed (out of memory: oom.ts redoes the step smaller) must not leak what was summed so far.
    for (const g of grads.values()) g.dispose();
    totals.dispose();
    throw err;
  }
  o.onGrads?.(grads);
  opt.apply(params, grads);
  for (const g of grads.values()) g.dispose();
  const [lossSum, correct] = await totals.data();
  totals.dispose();
  return { loss: lossSum, correct };
}

/** Inference-mode forward: the batch's summed (unsmoothed) cross-entropy and correct count. */
export async function evaluateBatch(
  model: ResNet18,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
): Promise<{ lossSum: number; correct: number }> {
  const stats = tf.tidy(() => {
    const out = model.forward(x, false);
    return tf.stack([crossEntropySum(out.logits, labels), countCorrect(out.logits, labels)]);
  });
  const [lossSum, correct] = await stats.data();
  stats.dispose();
  return { lossSum, correct };
}
