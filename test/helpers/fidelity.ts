/**
 * One fidelity case: the same initial weights, the same batches in the same order and the same crops and flips, for
 * OODLab and for PyTorch (bench/fidelity/torch_steps.py). The case is a pure function of its parameters; it is
 * written to a folder of .npy files for the Python side, and OODLab runs its own training code on it
 * (makeBatch, trainStep with micro-batches, Sgd, learningRate), recording the loss and learning rate of every step,
 * every parameter's gradient at step 1 and every tensor after the last step.
 * Used by bench/fidelity/run.ts (the step-by-step comparison) and test/unit/engine/train/fidelity.spec.ts.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainConfig } from '../../common/contract/train';
import { tf } from '../../main/engine/backend';
import { makeBatch } from '../../main/engine/data/augment';
import { mulberry32 } from '../../main/engine/data/rng';
import { syntheticSet } from '../../main/engine/data/synthetic';
import { readNpy, writeNpy } from '../../main/engine/features/npy';
import { initialValues, tensorRng } from '../../main/engine/model/init';
import { ResNet18 } from '../../main/engine/model/resnet';
import { tensorSpecs } from '../../main/engine/model/spec';
import { learningRate } from '../../main/engine/train/schedule';
import { Sgd } from '../../main/engine/train/sgd';
import { makeEngine, type TrainEngineName } from '../../main/engine/train/engine';

export interface CaseParams {
  width: number;
  classes: number;
  batch: number;
  steps: number;
  /** Steps per "epoch" for the schedule: warm-up lasts warmupEpochs of them, then cosine over the rest. */
  stepsPerEpoch: number;
  epochs: number;
  warmupEpochs: number;
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  labelSmoothing: number;
  augment: boolean;
  microBatch?: number;
  seed: number;
}

/**
 * The quick preset's recipe on a small net, the defaults of the harness and of the CI fixture; lr 0.02 rather than
 * 0.1 because at 0.1 this tiny net's 20 steps are chaotic enough that PyTorch float32 ends 10% away from its own
 * float64 run in loss (measured with bench/fidelity/run.ts), which would leave a test nothing to hold.
 */
export const defaultCase: CaseParams = {
  width: 4,
  classes: 10,
  batch: 16,
  steps: 20,
  stepsPerEpoch: 5,
  epochs: 4,
  warmupEpochs: 1,
  lr: 0.02,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  labelSmoothing: 0,
  augment: true,
  microBatch: 8,
  seed: 0,
};

export interface CaseData {
  params: CaseParams;
  /** steps * batch images, NHWC uint8, batch k of step s at rows s*batch + k. */
  images: Uint8Array;
  labels: Int32Array;
  /** Three uniform draws per image (crop row, crop column, flip), as makeBatch consumes them. */
  draws: Float64Array;
  init: { name: string; shape: number[]; values: Float32Array }[];
}

export function makeCase(p: CaseParams): CaseData {
  const n = p.steps * p.batch;
  const set = syntheticSet(
    { seed: p.seed + 7, classes: p.classes, trainPerClass: Math.ceil(n / p.classes), testPerClass: 1 },
    'train',
  );
  const rng = mulberry32(p.seed ^ 0x0f1de117);
  const order = Array.from({ length: set.n }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    images.set(set.images.subarray(order[k] * 3072, (order[k] + 1) * 3072), k * 3072);
    labels[k] = set.labels[order[k]];
  }
  const draws = new Float64Array(n * 3);
  for (let i = 0; i < draws.length; i++) draws[i] = rng();
  // ResNet18's own initialisation, computed in JS (no backend needed), tensor by tensor as the model does it
  const init = tensorSpecs(p.width, p.classes).map((spec, i) => ({
    name: spec.name,
    shape: spec.shape,
    values: initialValues(spec, tensorRng(p.seed, i), 8 * p.width),
  }));
  return { params: p, images, labels, draws, init };
}

/**
 * The case in its folder, as writeCase left it: what the harness's per-backend processes train, so that a case made
 * from a trained checkpoint and real images (bench/fidelity/run.ts --weights, --images) reaches them unchanged.
 */
export async function readCase(dir: string): Promise<CaseData> {
  const meta = JSON.parse(await readFile(join(dir, 'case.json'), 'utf8')) as {
    params: CaseParams;
    tensors: { name: string; shape: number[] }[];
  };
  const arr = async (f: string) => (await readNpy(join(dir, f))).data;
  const init = [];
  for (const t of meta.tensors)
    init.push({
      ...t,
      values: Float32Array.from((await arr(join('init', `${t.name}.npy`))) as Float32Array),
    });
  return {
    params: meta.params,
    images: (await arr('images.npy')) as Uint8Array,
    labels: Int32Array.from((await arr('labels.npy')) as Int32Array),
    draws: Float64Array.from((await arr('draws.npy')) as Float64Array),
    init,
  };
}

/** sha256 of everything both frameworks consume: a fixture is only valid for the case it was made from. */
export function caseDigest(c: CaseData): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(c.params));
  h.update(c.images);
  h.update(new Uint8Array(c.labels.buffer));
  h.update(new Uint8Array(c.draws.buffer));
  for (const t of c.init) h.update(t.name).update(new Uint8Array(t.values.buffer));
  return h.digest('hex');
}

/** The folder the PyTorch side reads: case.json, images.npy, labels.npy, draws.npy, init/<name>.npy. */
export async function writeCase(c: CaseData, dir: string): Promise<void> {
  await mkdir(join(dir, 'init'), { recursive: true });
  const n = c.labels.length;
  await writeNpy(join(dir, 'images.npy'), c.images, [n, 32, 32, 3]);
  await writeNpy(join(dir, 'labels.npy'), c.labels, [n]);
  await writeNpy(join(dir, 'draws.npy'), c.draws, [n, 3]);
  for (const t of c.init) await writeNpy(join(dir, 'init', `${t.name}.npy`), t.values, t.shape);
  const meta = {
    params: c.params,
    digest: caseDigest(c),
    tensors: c.init.map((t) => ({ name: t.name, shape: t.shape })),
  };
  await writeFile(join(dir, 'case.json'), JSON.stringify(meta, null, 1));
}

export interface Trajectory {
  losses: number[];
  lrs: number[];
  /** Gradient of the mean batch loss at step 1 (before weight decay), per trainable tensor. */
  grads: Record<string, Float32Array>;
  /** Every tensor (parameters and BN running statistics) after the last step. */
  final: Record<string, Float32Array>;
}

function scheduleConfig(
  p: CaseParams,
): Pick<TrainConfig, 'lr' | 'epochs' | 'schedule' | 'minLr' | 'milestones' | 'gamma' | 'warmupEpochs'> {
  return {
    lr: p.lr,
    epochs: p.epochs,
    schedule: 'cosine',
    minLr: 0,
    milestones: [],
    gamma: 0.1,
    warmupEpochs: p.warmupEpochs,
  };
}

/** OODLab's training code on the case (its first `steps` steps), on whichever backend is initialised. */
/** OODLab's trajectory on the case, through the tfjs engine on the current backend or through ONNX Runtime. */
export async function runOodlab(
  c: CaseData,
  steps = c.params.steps,
  engineName: TrainEngineName = 'tfjs',
): Promise<Trajectory> {
  const p = c.params;
  const model = new ResNet18({ width: p.width, numClasses: p.classes, seed: p.seed });
  for (const t of model.namedTensors()) {
    const src = c.init.find((i) => i.name === t.name);
    if (!src) throw new Error(`case has no tensor ${t.name}`);
    t.variable.assign(tf.tensor(src.values, src.shape));
  }
  const opt = new Sgd({ lr: p.lr, momentum: p.momentum, nesterov: p.nesterov, weightDecay: p.weightDecay });
  const engine = await makeEngine(engineName, model, opt);
  const set = { images: c.images, labels: c.labels, n: c.labels.length, classNames: [] };
  let drawIndex = 0;
  const replay = () => c.draws[drawIndex++];
  const losses: number[] = [];
  const lrs: number[] = [];
  let grads: Record<string, Float32Array> = {};
  for (let s = 0; s < steps; s++) {
    opt.lr = learningRate(scheduleConfig(p), s, p.stepsPerEpoch);
    lrs.push(opt.lr);
    const idx = Uint32Array.from({ length: p.batch }, (_, k) => s * p.batch + k);
    drawIndex = s * p.batch * 3;
    const b = makeBatch(set, idx, { augment: p.augment, rng: replay });
    // Step 1's accumulated gradients (all micro-batches summed, before weight decay) as the optimiser receives them.
    const onGrads =
      s === 0 ? (g: ReadonlyMap<string, Float32Array>) => (grads = Object.fromEntries(g)) : undefined;
    const r = await engine.step(b, { labelSmoothing: p.labelSmoothing, microBatch: p.microBatch, onGrads });
    losses.push(r.loss);
  }
  engine.sync();
  engine.dispose();
  const final: Record<string, Float32Array> = {};
  for (const t of model.namedTensors()) final[t.name] = (await t.variable.data()) as Float32Array;
  model.dispose();
  opt.dispose();
  return { losses, lrs, grads, final };
}

export function encodeF32(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function decodeF32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
