// Checkpoints (checkpoint.ts's model.json + weights file) read and written as plain Float32Arrays, without tfjs:
// what the ONNX export, the Runs page's export button and the PyTorch import need, in a process that has no
// tensor backend loaded. The layout is checkpoint.ts's, so tfjs loads what is written here and the other way round.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../runs/atomic';
import type { ResNetWeights } from './onnx/export';
import { tensorSpecs } from './spec';

export interface CheckpointTensors {
  width: number;
  numClasses: number;
  epoch: number;
  weights: ResNetWeights;
}

interface ModelJsonLite {
  format?: string;
  modelTopology?: { width: number; numClasses: number };
  userDefinedMetadata?: { epoch?: number };
  weightsManifest?: { paths: string[]; weights: { name: string; shape: number[] }[] }[];
}

export async function readCheckpointTensors(dir: string): Promise<CheckpointTensors> {
  let json: ModelJsonLite;
  try {
    json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ModelJsonLite;
  } catch {
    throw new Error(`No readable checkpoint in ${dir} (model.json is missing or damaged).`);
  }
  const group = json.weightsManifest?.[0];
  if (json.format !== 'oodlab-resnet18' || !json.modelTopology || !group)
    throw new Error(`${dir}/model.json is not an OODLab ResNet-18 checkpoint.`);
  const raw = await readFile(join(dir, group.paths[0]));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const weights: ResNetWeights = new Map();
  let off = 0;
  for (const e of group.weights) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (off + size > all.length)
      throw new Error(`Checkpoint ${dir}: the weights file is shorter than model.json says.`);
    if (!e.name.startsWith('optimizer/'))
      weights.set(e.name, { shape: e.shape, data: all.subarray(off, off + size) });
    off += size;
  }
  if (off !== all.length)
    throw new Error(`Checkpoint ${dir}: the weights file has ${all.length} values, model.json lists ${off}.`);
  return {
    width: json.modelTopology.width,
    numClasses: json.modelTopology.numClasses,
    epoch: json.userDefinedMetadata?.epoch ?? 0,
    weights,
  };
}

/** Writes weights (every tensor of spec.ts, in its order) as a checkpoint without optimiser state. */
export async function writeCheckpointTensors(
  dir: string,
  weights: ResNetWeights,
  arch: { width: number; numClasses: number },
  meta: { epoch: number; [k: string]: unknown },
): Promise<void> {
  const specs = tensorSpecs(arch.width, arch.numClasses);
  const total = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const bin = new Float32Array(total);
  let off = 0;
  for (const s of specs) {
    const w = weights.get(s.name);
    if (!w) throw new Error(`the weights lack ${s.name}`);
    bin.set(w.data, off);
    off += w.data.length;
  }
  const file = `weights-${randomBytes(6).toString('hex')}.bin`;
  await writeFileAtomic(join(dir, file), new Uint8Array(bin.buffer));
  await writeJsonAtomic(join(dir, 'model.json'), {
    format: 'oodlab-resnet18',
    generatedBy: 'OODLab (imported weights)',
    modelTopology: { class: 'ResNet18', ...arch },
    userDefinedMetadata: { ...meta, ...arch },
    weightsManifest: [
      { paths: [file], weights: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' })) },
    ],
  });
}
