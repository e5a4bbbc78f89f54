// Reads a checkpoint's tensors (checkpoint.ts's model.json + weights file) into plain Float32Arrays, without tfjs:
// what the ONNX export and the Runs page's export button need, in a process that has no tensor backend loaded.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResNetWeights } from './onnx/export';

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
