/**
 * SGD with momentum exactly as PyTorch's torch.optim.SGD (dampening 0):
 *   g = grad + wd * p;  buf = momentum * buf + g;  step = nesterov ? g + momentum * buf : buf;  p -= lr * step.
 * Weight decay is applied to EVERY parameter, BN gamma/beta and biases included, as PyTorch does by default
 * (no parameter groups). lr is read at each step, so a schedule sets `opt.lr` before calling trainStep.
 * Momentum buffers start at zero (identical to PyTorch's buf = g on the first step) and are checkpointed.
 */
import { tf } from '../backend';
import type { CheckpointedOptimizer } from '../model/checkpoint';

export interface SgdConfig {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

export class Sgd implements CheckpointedOptimizer {
  lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  /** Updates applied so far. */
  steps = 0;
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(cfg: SgdConfig) {
    if (!(cfg.lr >= 0) || !(cfg.momentum >= 0 && cfg.momentum < 1) || !(cfg.weightDecay >= 0)) {
      throw new Error(`invalid SGD settings ${JSON.stringify(cfg)}`);
    }
    if (cfg.nesterov && cfg.momentum === 0) throw new Error('Nesterov momentum needs momentum > 0');
    this.lr = cfg.lr;
    this.momentum = cfg.momentum;
    this.nesterov = cfg.nesterov;
    this.weightDecay = cfg.weightDecay;
  }

  private buffer(name: string, like: tf.Tensor): tf.Variable {
    let b = this.buffers.get(name);
    if (!b) {
      b = tf.variable(tf.zerosLike(like), false);
      this.buffers.set(name, b);
    }
    return b;
  }

  /** Applies one update. params and grads are matched by name; grads are not disposed here. */
  apply(params: { name: string; variable: tf.Variable }[], grads: Map<string, tf.Tensor>): void {
    const { momentum, nesterov, weightDecay, lr } = this;
    for (const { name, variable } of params) {
      const grad = grads.get(name);
      if (!grad) throw new Error(`no gradient for ${name}`);
      const buf = momentum > 0 ? this.buffer(name, variable) : null;
      tf.tidy(() => {
        const g = weightDecay > 0 ? tf.add(grad, tf.mul(variable, weightDecay)) : grad;
        let step = g;
        if (buf) {
          const next = tf.add(tf.mul(buf, momentum), g);
          buf.assign(next);
          step = nesterov ? tf.add(g, tf.mul(next, momentum)) : next;
        }
        variable.assign(tf.sub(variable, tf.mul(step, lr)));
      });
    }
    this.steps++;
  }

  /** Momentum buffers by parameter name (for checkpoints). Parameters never updated have none. */
  state(): Map<string, tf.Variable> {
    return this.buffers;
  }

  /** Replaces the buffers (checkpoint load); values are copied. */
  setState(values: Map<string, tf.Tensor>, steps: number): void {
    this.disposeBuffers();
    for (const [name, t] of values) this.buffers.set(name, tf.variable(t, false));
    this.steps = steps;
  }

  private disposeBuffers(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }

  dispose(): void {
    this.disposeBuffers();
  }
}
