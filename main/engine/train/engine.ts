// Which code runs a training step. Two engines do the same step (the same forward pass, label-smoothed loss,
// micro-batch accumulation and SGD update, matched against PyTorch's trajectory in fidelity.spec.ts):
//  - tfjs: the model's tf.Variables on the backend in use (step.ts); every backend (wasm, webgpu, tensorflow, cpu).
//  - onnxruntime: the step as one ONNX graph run by ONNX Runtime's CPU provider (ort-graph.ts, ort-engine.ts), native
//    code on every core; the fastest CPU engine where onnxruntime-node loads (2-3x wasm, see bench/train-throughput.ts).
// Each engine also evaluates (inference mode) for the epoch's validation and test passes: ONNX Runtime through the
// model exported with batch norm folded (model/onnx/export.ts), as feature extraction does.
// The choice: OODLAB_TRAIN_ENGINE=tfjs|onnxruntime, else onnxruntime for the CPU backends (wasm, cpu) when it loads,
// tfjs for the GPU ones (webgpu, tensorflow). The engine owns the weights while an epoch runs; sync() writes them
// (and the momentum and running statistics) back into the model and optimiser before evaluation or a checkpoint.
import { tf } from '../backend';
import type { ResNet18 } from '../model/resnet';
import type { Sgd } from './sgd';
import {
  nchwcRequested,
  requestedEngine,
  type EngineStepOptions,
  type HostBatch,
  type TrainEngine,
  type TrainEngineName,
} from './engine-types';
import { evaluateBatch, trainStep } from './step';

export type { EngineStepOptions, HostBatch, TrainEngine, TrainEngineName } from './engine-types';
export { nchwcRequested, requestedEngine } from './engine-types';

/** The step through tfjs on the current backend (the model's variables are the state). */
export class TfjsEngine implements TrainEngine {
  readonly name = 'tfjs';
  readonly description: string;

  /** Without an optimiser it only evaluates. */
  constructor(
    private readonly model: ResNet18,
    private readonly opt: Sgd | null = null,
  ) {
    this.description = `tfjs (${tf.getBackend()} backend)`;
  }

  async step(batch: HostBatch, o: EngineStepOptions): Promise<{ loss: number; correct: number }> {
    const n = batch.y.length;
    const x = tf.tensor4d(batch.x, [n, 32, 32, 3]);
    const y = tf.tensor1d(batch.y, 'int32');
    // The gradients are copied inside the step and read after it (webgpu reads asynchronously only).
    const kept = new Map<string, tf.Tensor>();
    try {
      if (!this.opt) throw new Error('this engine was made without an optimiser: it only evaluates');
      const r = await trainStep(this.model, this.opt, x, y, {
        labelSmoothing: o.labelSmoothing,
        microBatch: o.microBatch,
        onGrads: o.onGrads && ((g) => g.forEach((t, name) => kept.set(name, tf.clone(t)))),
      });
      if (o.onGrads) {
        const values = await Promise.all([...kept].map(async ([name, t]) => [name, (await t.data()) as Float32Array] as const)); // prettier-ignore
        o.onGrads(new Map(values));
      }
      return r;
    } finally {
      tf.dispose([x, y, ...kept.values()]);
    }
  }

  async evaluate(batch: HostBatch): Promise<{ lossSum: number; correct: number }> {
    const n = batch.y.length;
    const x = tf.tensor4d(batch.x, [n, 32, 32, 3]);
    const y = tf.tensor1d(batch.y, 'int32');
    try {
      return await evaluateBatch(this.model, x, y);
    } finally {
      tf.dispose([x, y]);
    }
  }

  sync(): void {}

  dispose(): void {}
}

/** The named engine for model and opt; 'onnxruntime' throws where onnxruntime-node cannot load. */
export async function makeEngine(name: TrainEngineName, model: ResNet18, opt: Sgd): Promise<TrainEngine> {
  if (name === 'tfjs') return new TfjsEngine(model, opt);
  const { OrtEngine } = await import('./ort-engine');
  return OrtEngine.create(model, opt);
}

/**
 * The engine for a model on the current backend: ONNX Runtime on the CPU backends where it loads (or where asked),
 * tfjs otherwise. `log` hears why ONNX Runtime was not used when it was asked for or expected.
 */
export async function createEngine(
  model: ResNet18,
  opt: Sgd,
  log: (message: string) => void = () => {},
): Promise<TrainEngine> {
  const asked = requestedEngine();
  // A wrong OODLAB_TRAIN_NCHWC is refused here, not taken for an engine that cannot load.
  if (asked !== 'tfjs') nchwcRequested();
  const cpu = ['wasm', 'cpu'].includes(tf.getBackend());
  if (asked === 'tfjs' || (!asked && !cpu)) return new TfjsEngine(model, opt);
  try {
    return await makeEngine('onnxruntime', model, opt);
  } catch (err) {
    log(
      `ONNX Runtime cannot train here (${(err as Error).message}); training with tfjs (${tf.getBackend()}).`,
    );
    return new TfjsEngine(model, opt);
  }
}
