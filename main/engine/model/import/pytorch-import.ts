// `oodlab import-model best_model.pth --arch resnet18-cifar`: a PyTorch state_dict (or .safetensors) of the study's
// CIFAR ResNet-18 becomes an imported run whose best and last checkpoints are OODLab checkpoints of the same
// weights, so it can be evaluated, analysed, exported to ONNX, and trained further (train --resume RUN).
import { basename } from 'node:path';
import { join } from 'node:path';
import { OodlabError } from '../../../../common/contract/errors';
import type { ImportModelRequest, ImportModelResult } from '../../../../common/contract/models';
import { CIFAR100_MEAN, CIFAR100_STD } from '../../data/augment';
import { writeCheckpointTensors } from '../checkpoint-plain';
import { readModelFile } from './onnx-import';
import { MappingError, mapResNet18 } from './resnet-map';
import { createImportedRun } from './stage';
import { CheckpointFormatError, readSafetensors, readTorchZip, type NamedArray } from './torch-load';

type Parsed = ImportModelRequest & { dataset: 'cifar100' | 'synthetic' };

export async function importPytorch(home: string, req: Parsed): Promise<ImportModelResult> {
  const file = req.path;
  const bad = (what: string) => new OodlabError('invalid_request', `${file}: ${what}`);
  if (!req.arch)
    throw bad(
      'a PyTorch checkpoint holds weights without the network; say which network with --arch resnet18-cifar ' +
        '(or export the model to ONNX and import the .onnx file).',
    );
  const buf = await readModelFile(file);
  const safetensors = /\.safetensors$/i.test(file);
  let sd: Map<string, NamedArray>;
  let mapped;
  try {
    sd = safetensors ? readSafetensors(buf) : readTorchZip(buf);
    mapped = mapResNet18(sd, req.width);
  } catch (err) {
    if (err instanceof CheckpointFormatError || err instanceof MappingError) throw bad(err.message + '.');
    throw err;
  }
  const { weights, width, numClasses } = mapped;
  if (req.dataset === 'cifar100' && numClasses !== 100)
    throw bad(
      `its classifier has ${numClasses} classes, but CIFAR-100 has 100. Choose the data set it was trained on.`,
    );
  const name =
    req.name ??
    (basename(file)
      .replace(/\.[^.]+$/, '')
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 40) ||
      'imported');
  const ext = safetensors ? 'safetensors' : 'pth';
  const config =
    req.dataset === 'synthetic'
      ? {
          dataset: 'synthetic' as const,
          synthetic: { classes: numClasses, trainPerClass: 64, testPerClass: 16 },
        }
      : { dataset: 'cifar100' as const };
  const { manifest, model } = await createImportedRun(
    home,
    name,
    { ...config, width, epochs: 1, batchSize: 128, lr: 0.01, schedule: 'cosine' },
    {
      format: safetensors ? 'safetensors' : 'pytorch',
      file: `source.${ext}`,
      source: file,
      classes: numClasses,
      dim: 8 * width,
      mean: (req.mean ?? CIFAR100_MEAN) as [number, number, number],
      std: (req.std ?? CIFAR100_STD) as [number, number, number],
      arch: { name: 'resnet18-cifar', width },
    },
    file,
    async (stage) => {
      for (const c of ['best', 'last'])
        await writeCheckpointTensors(
          join(stage.dir, 'checkpoints', c),
          weights,
          { width, numClasses },
          { epoch: 0, importedFrom: basename(file) },
        );
    },
  );
  const notes = [
    `Mapped ${sd.size} tensors onto a width-${width} CIFAR ResNet-18 with ${numClasses} classes.`,
  ];
  if (req.mean || req.std)
    notes.push(
      'Note: OODLab feeds its own ResNet with CIFAR-100 normalisation; --mean/--std are recorded only.',
    );
  return { run: manifest, model, notes };
}
