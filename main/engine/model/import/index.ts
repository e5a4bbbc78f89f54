// One entry for every model format `import-model` accepts, chosen by the file's first bytes (a zip is a PyTorch
// checkpoint, a safetensors header starts with its JSON length) and then by its extension.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OodlabError } from '../../../../common/contract/errors';
import type {
  ImportModelRequest,
  ImportModelResult,
  InspectModelResult,
} from '../../../../common/contract/models';
import { importOnnx, inspectOnnxFile } from './onnx-import';

type Parsed = ImportModelRequest & { dataset: 'cifar100' | 'synthetic' };

async function head(file: string): Promise<Uint8Array> {
  try {
    const fh = await open(file, 'r');
    try {
      const buf = new Uint8Array(16);
      const { bytesRead } = await fh.read(buf, 0, 16, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new OodlabError('not_found', `${file}: no such file.`);
    throw err;
  }
}

export async function inspectModel(path: string, inputSize?: number): Promise<InspectModelResult> {
  const file = resolve(path);
  const h = await head(file);
  if ((h[0] === 0x50 && h[1] === 0x4b) || /\.(pth|pt)$/i.test(file))
    return { format: 'pytorch', classes: null, features: null, candidates: [] };
  if (/\.safetensors$/i.test(file))
    return { format: 'safetensors', classes: null, features: null, candidates: [] };
  return inspectOnnxFile(file, inputSize);
}

export async function importModel(home: string, req: Parsed): Promise<ImportModelResult> {
  const file = resolve(req.path);
  const h = await head(file);
  const isZip = h[0] === 0x50 && h[1] === 0x4b;
  if (isZip || /\.(pth|pt|safetensors)$/i.test(file)) {
    const { importPytorch } = await import('./pytorch-import');
    return importPytorch(home, { ...req, path: file });
  }
  if (req.arch)
    throw new OodlabError(
      'invalid_request',
      `${file}: --arch applies to PyTorch checkpoints (.pth, .safetensors), not to ONNX models.`,
    );
  return importOnnx(home, { ...req, path: file });
}
