/**
 * Checkpoints in tfjs' layout: model.json (topology summary, metadata, weightsManifest) beside one binary
 * weights file of little-endian float32, optimiser momentum buffers included as "optimizer/<name>".
 * The weights file gets a fresh name each save and model.json is written last (both atomically), so a
 * reader sees either the previous checkpoint or the new one, never a mix; older weight files are then removed.
 * model.json holds the SHA-256 of the weights file: bytes overwritten in place (same size) would otherwise load
 * silently and leave a run at chance accuracy.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '../backend';
import { writeFileAtomic, writeJsonAtomic } from '../runs/atomic';
import type { ResNet18 } from './resnet';

export interface CheckpointMeta {
  epoch: number;
  width: number;
  numClasses: number;
  [k: string]: unknown;
}

/**
 * What a checkpoint keeps of an optimiser (train/sgd.ts implements it): its per-parameter buffers and its step
 * count. Declared here so that the model layer does not import the training layer above it.
 */
export interface CheckpointedOptimizer {
  readonly steps: number;
  /** Buffers by parameter name; parameters never updated have none. */
  state(): Map<string, tf.Variable>;
  /** Replaces the buffers (values are copied) and the step count. */
  setState(values: Map<string, tf.Tensor>, steps: number): void;
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
}

interface ModelJson {
  format: 'oodlab-resnet18';
  generatedBy: string;
  modelTopology: { class: 'ResNet18'; width: number; numClasses: number };
  userDefinedMetadata: CheckpointMeta & { optimizerSteps?: number };
  weightsManifest: { paths: string[]; weights: WeightEntry[]; sha256?: string[] }[];
}

/** A checkpoint that cannot be used: missing, truncated, corrupt or of another model. `file` names the culprit. */
export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const OPT = 'optimizer/';
const weightFile = /^weights-[0-9a-f]+\.bin$/;

export async function saveCheckpoint(
  dir: string,
  model: ResNet18,
  opt: CheckpointedOptimizer | null,
  meta: CheckpointMeta,
): Promise<void> {
  const { width, numClasses } = model.config;
  const entries: { name: string; tensor: tf.Tensor }[] = model
    .namedTensors()
    .map((t) => ({ name: t.name, tensor: t.variable }));
  if (opt) for (const [name, buf] of opt.state()) entries.push({ name: OPT + name, tensor: buf });
  const chunks = await Promise.all(entries.map((e) => e.tensor.data() as Promise<Float32Array>));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const bin = new Float32Array(total);
  let off = 0;
  for (const c of chunks) {
    bin.set(c, off);
    off += c.length;
  }
  const file = `weights-${randomBytes(6).toString('hex')}.bin`;
  const bytes = new Uint8Array(bin.buffer);
  await writeFileAtomic(join(dir, file), bytes);
  const json: ModelJson = {
    format: 'oodlab-resnet18',
    generatedBy: `OODLab (tfjs-core ${tf.version_core})`,
    modelTopology: { class: 'ResNet18', width, numClasses },
    userDefinedMetadata: { ...meta, width, numClasses, ...(opt ? { optimizerSteps: opt.steps } : {}) },
    weightsManifest: [
      {
        paths: [file],
        weights: entries.map((e) => ({ name: e.name, shape: e.tensor.shape, dtype: 'float32' })),
        sha256: [sha256(bytes)],
      },
    ],
  };
  await writeJsonAtomic(join(dir, 'model.json'), json);
  for (const f of await readdir(dir))
    if (weightFile.test(f) && f !== file) await rm(join(dir, f), { force: true });
}

async function readModelJson(dir: string): Promise<ModelJson> {
  const path = join(dir, 'model.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CheckpointError(path, `No checkpoint in ${dir} (model.json is missing).`);
  }
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch {
    throw new CheckpointError(path, `${path} is not valid JSON (cut short or overwritten).`);
  }
  if (json?.format !== 'oodlab-resnet18' || !Array.isArray(json.weightsManifest?.[0]?.paths))
    throw new CheckpointError(path, `${path} is not an OODLab ResNet-18 checkpoint.`);
  return json;
}

/** The weights file's bytes, checked against the size model.json implies and its SHA-256 (when recorded). */
async function readWeights(dir: string, group: ModelJson['weightsManifest'][number]): Promise<Buffer> {
  const path = join(dir, group.paths[0]);
  const raw = await readFile(path).catch(() => {
    throw new CheckpointError(path, `Checkpoint ${dir}: the weights file ${path} is missing.`);
  });
  const values = group.weights.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
  if (raw.byteLength !== values * 4)
    throw new CheckpointError(
      path,
      `Checkpoint ${dir}: the weights file ${path} has ${raw.byteLength} bytes, model.json lists ${values * 4} ` +
        `(${values} float32 values); it was cut short or replaced.`,
    );
  const want = group.sha256?.[0];
  if (want && sha256(raw) !== want)
    throw new CheckpointError(
      path,
      `Checkpoint ${dir}: the weights file ${path} is corrupt (its SHA-256 differs from the one model.json recorded).`,
    );
  return raw;
}

export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta> {
  return (await readModelJson(dir)).userDefinedMetadata;
}

/** Loads weights (and momentum buffers when opt is given) into model; throws if width or classes differ. */
export async function loadCheckpoint(
  dir: string,
  model: ResNet18,
  opt?: CheckpointedOptimizer | null,
): Promise<CheckpointMeta> {
  const json = await readModelJson(dir);
  const { width, numClasses } = json.modelTopology;
  const cfg = model.config;
  if (width !== cfg.width || numClasses !== cfg.numClasses) {
    throw new CheckpointError(
      join(dir, 'model.json'),
      `Checkpoint ${dir} holds a width-${width}, ${numClasses}-class ResNet-18; the model is width ${cfg.width} with ` +
        `${cfg.numClasses} classes. Use the same width and dataset as the run that saved it.`,
    );
  }
  const [group] = json.weightsManifest;
  const raw = await readWeights(dir, group);
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const byName = new Map<string, { offset: number; entry: WeightEntry }>();
  let off = 0;
  for (const e of group.weights) {
    byName.set(e.name, { offset: off, entry: e });
    off += e.shape.reduce((a, b) => a * b, 1);
  }
  if (off !== values.length)
    throw new Error(
      `Checkpoint ${dir}: the weights file has ${values.length} values, model.json lists ${off}.`,
    );
  const slice = (name: string, shape: number[]): tf.Tensor => {
    const found = byName.get(name);
    if (!found) throw new Error(`Checkpoint ${dir} lacks ${name}.`);
    if (found.entry.shape.join('x') !== shape.join('x')) {
      throw new Error(`Checkpoint ${dir}: ${name} has shape [${found.entry.shape}], expected [${shape}].`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(values.subarray(found.offset, found.offset + size), shape, 'float32');
  };
  const loaded = model.namedTensors().map((t) => ({ t, value: slice(t.name, t.variable.shape) }));
  for (const { t, value } of loaded) {
    t.variable.assign(value);
    value.dispose();
  }
  if (opt) {
    const buffers = new Map<string, tf.Tensor>();
    for (const t of model.trainable())
      if (byName.has(OPT + t.name)) buffers.set(t.name, slice(OPT + t.name, t.variable.shape));
    opt.setState(buffers, json.userDefinedMetadata.optimizerSteps ?? 0);
    for (const b of buffers.values()) b.dispose();
  }
  return json.userDefinedMetadata;
}
