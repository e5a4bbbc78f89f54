// The training step through ONNX Runtime's CPU provider (engine.ts says when): the step's graph (ort-graph.ts) runs
// natively on every core, and this class keeps what the step updates in plain Float32Arrays, in the graph's layout
// (convolutions OIHW): the weights, SGD's momentum buffers and batch norm's running statistics. Both the update and
// the running statistics follow Sgd.apply and layers.ts op for op in float32 (Math.fround after each operation, as
// tfjs computes them), so that the two engines differ only by the graph's summation order. sync() writes the state
// back into the tfjs model (HWIO) and the optimiser, so evaluation, checkpoints and resume see one model.
import { availableParallelism } from 'node:os';
import type * as OrtModule from 'onnxruntime-node';
import { tf } from '../backend';
import { logSumExp } from '../ood/detector';
import { argmaxRows } from '../linalg/kernels';
import { BN_MOMENTUM } from '../model/layers';
import { hwioToOihw, oihwToHwio } from '../model/layout';
import { EXPORT_INPUT, exportResNetOnnx, type ResNetWeights } from '../model/onnx/export';
import type { NamedTensor, ResNet18 } from '../model/resnet';
import { isTrainable } from '../model/spec';
import { nchwcRequested, type EngineStepOptions, type HostBatch, type TrainEngine } from './engine-types';
import { graphShape, nchwcProbeGraph, trainStepGraph, type TrainGraphOptions } from './ort-graph';
import type { Sgd } from './sgd';

type Ort = typeof OrtModule;

/** Intra-op threads of the training session: one per core; OODLAB_TRAIN_THREADS overrides it. */
const threads = () => Number(process.env.OODLAB_TRAIN_THREADS) || availableParallelism();

/** The training graph's session: the CPU provider, one thread per core (bench/train-profile.ts adds profiling). */
export const trainSessionOptions = (): OrtModule.InferenceSession.SessionOptions => ({
  executionProviders: ['cpu'],
  // The graph lays its own activations out in NCHWc blocks (ort-graph.ts); 'all' would also re-lay the one-hot im2col
  // convolutions out in blocks and back, which costs more here.
  graphOptimizationLevel: 'extended',
  intraOpNumThreads: threads(),
  interOpNumThreads: 1,
  executionMode: 'sequential',
  logSeverityLevel: 3,
});

let probedBlock: Promise<number> | null = null;

/**
 * ONNX Runtime's NCHWc block size on this CPU (MLAS: 16 with AVX-512, 8 with AVX2), or 0 where its blocked kernels
 * are missing. Probed once by reordering a (1, 32, 1, 2) tensor: where the element of channel 0 at the second
 * position lands is the block size. OODLAB_TRAIN_NCHWC=0 turns the blocked layout off (engine-types.ts).
 */
export function nchwcBlockSize(ort: Ort): Promise<number> {
  if (!nchwcRequested()) return Promise.resolve(0);
  probedBlock ??= (async () => {
    try {
      const session = await ort.InferenceSession.create(nchwcProbeGraph(), { logSeverityLevel: 3 });
      try {
        const x = Float32Array.from({ length: 64 }, (_, i) => i);
        const r = await session.run({ x: new ort.Tensor('float32', x, [1, 32, 1, 2]) });
        const y = r.y.data as Float32Array;
        const block = y.indexOf(1);
        // Blocks of 4 or more that divide 32, holding channel c at (c / B, position, c % B).
        return block >= 4 && 32 % block === 0 && y[block + 1] === 3 ? block : 0;
      } finally {
        await session.release();
      }
    } catch {
      return 0;
    }
  })();
  return probedBlock;
}

/** HWIO (tfjs) -> OIHW (ONNX) for a 4-D tensor (spec shape); other ranks are copied as they are. */
export const toGraphLayout = (shape: readonly number[], v: Float32Array) =>
  shape.length === 4 ? hwioToOihw(shape, v) : Float32Array.from(v);

/** OIHW -> HWIO, the inverse of toGraphLayout. */
export const fromGraphLayout = (shape: readonly number[], v: Float32Array) =>
  shape.length === 4 ? oihwToHwio(shape, v) : Float32Array.from(v);

/** Images start..start+count of an NHWC (n, 32, 32, 3) batch, as NCHW. */
function toNchw(nhwc: Float32Array, start: number, count: number): Float32Array {
  const x = new Float32Array(count * 3 * 1024);
  for (let k = 0; k < count; k++) {
    const src = (start + k) * 3072;
    for (let p = 0; p < 1024; p++)
      for (let c = 0; c < 3; c++) x[(k * 3 + c) * 1024 + p] = nhwc[src + p * 3 + c];
  }
  return x;
}

interface Param {
  tensor: NamedTensor;
  value: Float32Array;
  momentum: Float32Array | null;
}

interface Running {
  bn: string;
  mean: Float32Array;
  variance: Float32Array;
}

export class OrtEngine implements TrainEngine {
  readonly name = 'onnxruntime';
  readonly description: string;
  private readonly params: Param[];
  private readonly running: Running[];
  private readonly runningTensors: Map<string, NamedTensor>;
  private session: { batch: number; session: OrtModule.InferenceSession } | null = null;
  /** The inference graph of the current weights (model/onnx/export.ts), made on the first evaluation after a step. */
  private inference: OrtModule.InferenceSession | null = null;
  private dirty = false;

  /** Loads onnxruntime-node (throws where its native binding cannot load) and copies the model's state. */
  static async create(model: ResNet18, opt: Sgd, graph: TrainGraphOptions = {}): Promise<OrtEngine> {
    const ort = await import('onnxruntime-node');
    graph = { ...graph, nchwcBlock: graph.nchwcBlock ?? (await nchwcBlockSize(ort)) };
    // Read asynchronously: on webgpu (OODLAB_TRAIN_ENGINE=onnxruntime) dataSync() is not available.
    const values = new Map<string, Float32Array>();
    for (const t of model.namedTensors()) values.set(t.name, (await t.variable.data()) as Float32Array);
    for (const [name, b] of opt.state()) values.set(`momentum:${name}`, (await b.data()) as Float32Array);
    return new OrtEngine(ort, model, opt, graph, values);
  }

  private constructor(
    private readonly ort: Ort,
    private readonly model: ResNet18,
    private readonly opt: Sgd,
    private readonly graph: TrainGraphOptions,
    values: Map<string, Float32Array>,
  ) {
    this.params = model.trainable().map((t) => {
      const buf = values.get(`momentum:${t.name}`);
      return {
        tensor: t,
        value: toGraphLayout(t.spec.shape, values.get(t.name)!),
        momentum:
          opt.momentum > 0
            ? buf
              ? toGraphLayout(t.spec.shape, buf)
              : new Float32Array(t.variable.size)
            : null,
      };
    });
    this.runningTensors = new Map(
      model
        .namedTensors()
        .filter((t) => !isTrainable(t.spec.role))
        .map((t) => [t.name, t]),
    );
    this.running = model
      .namedTensors()
      .filter((t) => t.spec.role === 'runningMean')
      .map((t) => {
        const bn = t.name.slice(0, -'.running_mean'.length);
        return {
          bn,
          mean: Float32Array.from(values.get(`${bn}.running_mean`)!),
          variance: Float32Array.from(values.get(`${bn}.running_var`)!),
        };
      });
    const blocks = graph.nchwcBlock ? `, NCHWc blocks of ${graph.nchwcBlock}` : '';
    this.description = `ONNX Runtime ${ort.env.versions.common} (CPU, ${threads()} threads${blocks})`;
  }

  private async sessionFor(batch: number): Promise<OrtModule.InferenceSession> {
    if (this.session?.batch === batch) return this.session.session;
    // One session at a time: a batch of another size (an epoch's last) replaces it, so memory holds one graph's.
    await this.session?.session.release();
    this.session = null;
    const graph = trainStepGraph(this.model.config, batch, this.graph);
    const session = await this.ort.InferenceSession.create(graph, trainSessionOptions());
    this.session = { batch, session };
    return session;
  }

  async step(batch: HostBatch, o: EngineStepOptions): Promise<{ loss: number; correct: number }> {
    const { ort } = this;
    const n = batch.y.length;
    const classes = this.model.config.numClasses;
    const size = o.microBatch && o.microBatch > 0 && o.microBatch < n ? Math.floor(o.microBatch) : n;
    // The first micro-batch's gradients are kept as ONNX Runtime returned them; later ones are added in.
    const grads: Float32Array[] = [];
    const f = Math.fround;
    const smoothing = f(o.labelSmoothing);
    const on = f(f(1 - smoothing) + f(smoothing / classes));
    const off = f(smoothing / classes);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < n; start += size) {
      const count = Math.min(size, n - start);
      const session = await this.sessionFor(count);
      const x = toNchw(batch.x, start, count);
      const target = new Float32Array(count * classes).fill(off);
      for (let k = 0; k < count; k++) {
        const label = batch.y[start + k];
        if (!(label >= 0 && label < classes))
          throw new RangeError(`label ${label} of a training image is outside 0..${classes - 1}`);
        target[k * classes + label] = on;
      }
      const feeds: Record<string, OrtModule.Tensor> = {
        x: new ort.Tensor('float32', x, [count, 3, 32, 32]),
        target: new ort.Tensor('float32', target, [count, classes]),
        scale: new ort.Tensor('float32', Float32Array.of(1 / n), []),
      };
      for (const p of this.params)
        feeds[p.tensor.name] = new ort.Tensor('float32', p.value, graphShape(p.tensor.spec));
      const r = await session.run(feeds);
      try {
        lossSum += (r.loss.data as Float32Array)[0];
        const predicted = argmaxRows(r.logits.data as Float32Array, count, classes);
        predicted.forEach((p, k) => (correct += p === batch.y[start + k] ? 1 : 0));
        this.params.forEach((p, i) => {
          const g = r[`grad:${p.tensor.name}`].data as Float32Array;
          const acc = grads[i];
          if (!acc) grads[i] = g;
          else for (let j = 0; j < acc.length; j++) acc[j] += g[j];
        });
        // running = 0.9 running + 0.1 batch, with the unbiased batch variance (layers.ts batchNormTrain)
        for (const s of this.running) {
          const mean = r[`mean:${s.bn}`].data as Float32Array;
          const variance = r[`var:${s.bn}`].data as Float32Array;
          for (let c = 0; c < mean.length; c++) {
            s.mean[c] = f(f(s.mean[c] * BN_MOMENTUM) + f(mean[c] * f(1 - BN_MOMENTUM)));
            s.variance[c] = f(f(s.variance[c] * BN_MOMENTUM) + f(variance[c] * f(1 - BN_MOMENTUM)));
          }
        }
      } finally {
        for (const t of Object.values(r)) t.dispose();
      }
    }
    if (o.onGrads)
      o.onGrads(
        new Map(this.params.map((p, i) => [p.tensor.name, fromGraphLayout(p.tensor.spec.shape, grads[i])])),
      );
    this.update(grads);
    this.dirty = true;
    await this.inference?.release();
    this.inference = null;
    return { loss: lossSum / n, correct };
  }

  /** Sgd.apply in float32, op for op: g = grad + wd p; buf = m buf + g; step = nesterov ? g + m buf : buf; p -= lr step. */
  private update(grads: Float32Array[]): void {
    const f = Math.fround;
    const { opt } = this;
    const lr = f(opt.lr);
    const m = f(opt.momentum);
    const wd = f(opt.weightDecay);
    this.params.forEach((p, i) => {
      const v = p.value;
      const grad = grads[i];
      const buf = p.momentum;
      for (let j = 0; j < v.length; j++) {
        const g = wd > 0 ? f(grad[j] + f(v[j] * wd)) : grad[j];
        let step = g;
        if (buf) {
          const next = f(f(buf[j] * m) + g);
          buf[j] = next;
          step = opt.nesterov ? f(g + f(next * m)) : next;
        }
        v[j] = f(v[j] - f(step * lr));
      }
    });
    opt.steps++;
  }

  /** The engine's state as checkpoints hold it (spec names, HWIO convolutions). */
  private weights(): ResNetWeights {
    const w: ResNetWeights = new Map();
    for (const p of this.params)
      w.set(p.tensor.name, {
        shape: p.tensor.spec.shape,
        data: fromGraphLayout(p.tensor.spec.shape, p.value),
      });
    for (const s of this.running) {
      w.set(`${s.bn}.running_mean`, { shape: [s.mean.length], data: s.mean });
      w.set(`${s.bn}.running_var`, { shape: [s.variance.length], data: s.variance });
    }
    return w;
  }

  async evaluate(batch: HostBatch): Promise<{ lossSum: number; correct: number }> {
    // The exported model (batch norm folded), as feature extraction runs it. (Not through model/onnx/session.ts:
    // its static onnxruntime-node import would enter the GPU kit's bundle, which has no onnxruntime-node.)
    this.inference ??= await this.ort.InferenceSession.create(
      exportResNetOnnx(this.weights(), this.model.config),
      { ...trainSessionOptions(), graphOptimizationLevel: 'all' },
    );
    const n = batch.y.length;
    const classes = this.model.config.numClasses;
    const r = await this.inference.run(
      { [EXPORT_INPUT]: new this.ort.Tensor('float32', toNchw(batch.x, 0, n), [n, 3, 32, 32]) },
      ['logits'],
    );
    const logits = r.logits.data as Float32Array;
    r.logits.dispose();
    // cross-entropy = logsumexp(logits) - logits[label], per row in float64
    const lse = logSumExp(logits, n, classes);
    const predicted = argmaxRows(logits, n, classes);
    let lossSum = 0;
    let correct = 0;
    for (let k = 0; k < n; k++) {
      lossSum += lse[k] - logits[k * classes + batch.y[k]];
      if (predicted[k] === batch.y[k]) correct++;
    }
    return { lossSum, correct };
  }

  sync(): void {
    if (!this.dirty) return;
    const momentum = new Map<string, tf.Tensor>();
    for (const p of this.params) {
      const shape = p.tensor.spec.shape;
      tf.tidy(() => p.tensor.variable.assign(tf.tensor(fromGraphLayout(shape, p.value), shape, 'float32')));
      if (p.momentum)
        momentum.set(p.tensor.name, tf.tensor(fromGraphLayout(shape, p.momentum), shape, 'float32'));
    }
    tf.tidy(() => {
      for (const s of this.running) {
        this.runningTensors.get(`${s.bn}.running_mean`)!.variable.assign(tf.tensor1d(s.mean));
        this.runningTensors.get(`${s.bn}.running_var`)!.variable.assign(tf.tensor1d(s.variance));
      }
    });
    if (momentum.size) this.opt.setState(momentum, this.opt.steps);
    tf.dispose([...momentum.values()]);
    this.dirty = false;
  }

  dispose(): void {
    void this.session?.session.release();
    void this.inference?.release();
    this.session = null;
    this.inference = null;
  }
}
