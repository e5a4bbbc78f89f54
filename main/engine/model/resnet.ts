/**
 * CIFAR ResNet-18 (He et al. 2016, CIFAR variant: 3x3 stem, no max-pool; 4 stages of 2 BasicBlocks at
 * w, 2w, 4w, 8w channels, strides 1, 2, 2, 2; 1x1 conv + BN projection when the shape changes; global average
 * pool; linear classifier). w = 64 is the standard net (11,220,132 parameters for 100 classes).
 * Tensors live in tf.Variables named "<model id>/<torch-style name>" (tfjs variable names must be unique).
 */
import { tf } from '../backend';
import { initialValues, tensorRng } from './init';
import {
  addRelu,
  batchNormTrain,
  conv1x1,
  conv3x3,
  convBnEval,
  reluFused,
  type RunningStats,
} from './layers';
import { blockSpecs, countParams, isTrainable, tensorSpecs, type BlockSpec, type TensorSpec } from './spec';

export interface ResNetConfig {
  width: number;
  numClasses: number;
  seed?: number;
}

export interface ForwardOutput {
  logits: tf.Tensor2D;
  /** Penultimate features (global-average-pooled stage 4), 8w-d. */
  features: tf.Tensor2D;
  /** Global-average-pooled output of stages 1..4 (w, 2w, 4w, 8w). */
  stages: tf.Tensor2D[];
}

export interface NamedTensor {
  name: string;
  spec: TensorSpec;
  variable: tf.Variable;
}

let nextModelId = 0;

export class ResNet18 {
  readonly config: ResNetConfig;
  private readonly tensors: NamedTensor[];
  private readonly byName = new Map<string, tf.Variable>();
  private readonly blocks: BlockSpec[];

  constructor(cfg: ResNetConfig) {
    this.config = { ...cfg, seed: cfg.seed ?? 0 };
    const specs = tensorSpecs(cfg.width, cfg.numClasses);
    const id = `resnet18_${nextModelId++}`;
    const seed = this.config.seed ?? 0;
    this.tensors = specs.map((spec, i) => {
      const values = initialValues(spec, tensorRng(seed, i), 8 * cfg.width);
      const variable = tf.variable(
        tf.tensor(values, spec.shape, 'float32'),
        isTrainable(spec.role),
        `${id}/${spec.name}`,
      );
      this.byName.set(spec.name, variable);
      return { name: spec.name, spec, variable };
    });
    this.blocks = blockSpecs(cfg.width);
  }

  /** Every tensor (parameters and BN running statistics) in a fixed order; what checkpoints store. */
  namedTensors(): readonly NamedTensor[] {
    return this.tensors;
  }

  /** The parameters the optimiser updates (conv, BN gamma/beta, fc), in a fixed order. */
  trainable(): NamedTensor[] {
    return this.tensors.filter((t) => isTrainable(t.spec.role));
  }

  paramCount(): number {
    return countParams(this.config.width, this.config.numClasses);
  }

  classifier(): { weight: tf.Tensor2D; bias: tf.Tensor1D } {
    return { weight: this.v('linear.weight') as tf.Tensor2D, bias: this.v('linear.bias') as tf.Tensor1D };
  }

  private v(name: string): tf.Variable {
    const t = this.byName.get(name);
    if (!t) throw new Error(`ResNet18 has no tensor ${name}`);
    return t;
  }

  /** conv (3x3 pad 1, or 1x1) -> BN -> optional ReLU; fused into one convolution at inference. */
  private convBn(
    x: tf.Tensor4D,
    conv: string,
    bn: string,
    stride: number,
    relu: boolean,
    training: boolean,
  ): tf.Tensor4D {
    const w = this.v(`${conv}.weight`) as tf.Tensor4D;
    const gamma = this.v(`${bn}.weight`) as tf.Tensor1D;
    const beta = this.v(`${bn}.bias`) as tf.Tensor1D;
    const running: RunningStats = {
      mean: this.v(`${bn}.running_mean`),
      variance: this.v(`${bn}.running_var`),
    };
    if (!training) return convBnEval(x, w, stride, gamma, beta, running, relu);
    // the ReLU inside batch norm's op: on wasm, one SIMD pass forward and none of its own backward
    const inside = relu && reluFused();
    const y = batchNormTrain(
      w.shape[0] === 3 ? conv3x3(x, w, stride) : conv1x1(x, w, stride),
      gamma,
      beta,
      running,
      inside,
    );
    return relu && !inside ? tf.relu(y) : y;
  }

  private block(x: tf.Tensor4D, b: BlockSpec, training: boolean): tf.Tensor4D {
    const p = b.prefix;
    const out = this.convBn(
      this.convBn(x, `${p}.conv1`, `${p}.bn1`, b.stride, true, training),
      `${p}.conv2`,
      `${p}.bn2`,
      1,
      false,
      training,
    );
    const shortcut = b.projection
      ? this.convBn(x, `${p}.shortcut.0`, `${p}.shortcut.1`, b.stride, false, training)
      : x;
    return addRelu(out, shortcut);
  }

  /**
   * x: NHWC float32, already normalised. training = true uses batch statistics and updates the running ones.
   * The caller owns (and disposes) the returned tensors.
   */
  forward(x: tf.Tensor4D, training: boolean): ForwardOutput {
    return tf.tidy(() => {
      let h = this.convBn(x, 'conv1', 'bn1', 1, true, training);
      const stages: tf.Tensor2D[] = [];
      this.blocks.forEach((b, i) => {
        h = this.block(h, b, training);
        if (i % 2 === 1) stages.push(tf.mean(h, [1, 2]) as tf.Tensor2D);
      });
      const features = stages[stages.length - 1];
      const { weight, bias } = this.classifier();
      const logits = tf.add(tf.matMul(features, weight, false, true), bias) as tf.Tensor2D;
      return { logits, features: tf.clone(features), stages };
    });
  }

  dispose(): void {
    for (const t of this.tensors) t.variable.dispose();
    this.byName.clear();
  }
}
