// `oodlab import-model FILE.onnx`: checks an ONNX classifier against the ID data set, finds its features, head and
// stage outputs, runs it once through ONNX Runtime to learn every shape, and only then creates the run. Each
// refusal names the file and what is wrong, with the likely tensors to name where the user has to choose.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { OodlabError } from '../../../../common/contract/errors';
import type { ImportModelResult, InspectModelResult } from '../../../../common/contract/models';
import type { ImportModelRequest } from '../../../../common/contract/models';
import { CIFAR100_MEAN, CIFAR100_STD } from '../../data/augment';
import { inspectOnnx, resolveTensor, type OnnxModelInfo } from '../onnx/inspect';
import { ortLoadError } from '../onnx/package';
import { createImportedRun } from './stage';

type Parsed = ImportModelRequest & { dataset: 'cifar100' | 'synthetic' };

const bad = (file: string, what: string) => new OodlabError('invalid_request', `${file}: ${what}`);

export async function readModelFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OodlabError('not_found', `${file}: no such file.`);
    if (code === 'EISDIR') throw bad(file, 'is a folder, not a model file.');
    throw err;
  }
}

/** Tensor shapes of one forward pass on mid-grey images, for every name asked (ONNX Runtime's errors made plain). */
async function probeShapes(
  bytes: Uint8Array,
  file: string,
  info: OnnxModelInfo,
  size: [number, number],
  names: string[],
): Promise<Map<string, readonly number[]>> {
  // loaded here, not with the module: the app starts (and trains) where onnxruntime-node's binding does not load
  const why = await ortLoadError();
  if (why) throw new OodlabError('failed', `ONNX models need ONNX Runtime, which does not load here: ${why}`);
  const [{ withOutputs }, { openSession, ort }] = await Promise.all([import('../onnx/runner'), import('../onnx/session')]); // prettier-ignore
  let s;
  try {
    s = await openSession(withOutputs(bytes, names));
  } catch (err) {
    const msg = (err as Error).message;
    if (/opset/i.test(msg))
      throw bad(
        file,
        `uses opset ${info.opset}, which this ONNX Runtime cannot run (${msg.split('\n')[0]}).`,
      );
    throw bad(file, `ONNX Runtime cannot load it: ${msg.split('\n')[0]}`);
  }
  const n = info.batch ?? 2;
  const [H, W] = size;
  try {
    const x = new ort.Tensor('float32', new Float32Array(n * 3 * H * W), [n, 3, H, W]);
    const out = await s.session.run({ [info.input]: x }, [...new Set(names)]);
    return new Map(Object.entries(out).map(([k, v]) => [k, v.dims]));
  } catch (err) {
    throw bad(
      file,
      `ONNX Runtime could not run it on a ${n}x3x${H}x${W} input: ${(err as Error).message.split('\n')[0]}`,
    );
  } finally {
    await s.session.release();
  }
}

/** The last residual output of each spatial resolution: the outputs of the network's stages. */
function stageOutputs(residual: string[], shapes: Map<string, readonly number[]>): string[] {
  const out: string[] = [];
  let key = '';
  for (const r of residual) {
    const d = shapes.get(r);
    if (!d || d.length !== 4) continue;
    const k = `${d[2]}x${d[3]}`;
    if (k === key) out[out.length - 1] = r;
    else out.push(r);
    key = k;
  }
  return out;
}

/** What the import form shows before importing: the head, the class count and the stage outputs. */
export async function inspectOnnxFile(path: string, inputSize?: number): Promise<InspectModelResult> {
  const file = resolve(path);
  const bytes = await readModelFile(file);
  const info = inspectOnnx(bytes, file);
  const size: [number, number] = info.size ?? [inputSize ?? 32, inputSize ?? 32];
  const shapes = await probeShapes(bytes, file, info, size, [info.logits, ...info.residualOutputs]);
  const ld = shapes.get(info.logits)!;
  return {
    format: 'onnx',
    input: info.input,
    size: info.size,
    batch: info.batch,
    classes: ld.length === 2 ? ld[1] : info.classes,
    features: info.head?.features ?? null,
    headProblem: info.headProblem,
    candidates: stageOutputs(info.residualOutputs, shapes),
  };
}

export async function importOnnx(home: string, req: Parsed): Promise<ImportModelResult> {
  const file = resolve(req.path);
  const bytes = await readModelFile(file);
  const info = inspectOnnx(bytes, file);
  const notes: string[] = [];
  if (info.softmax)
    notes.push(`The graph ends in ${info.softmax}: its input ${info.logits} is used as the logits.`);
  const size: [number, number] = info.size ?? [req.inputSize ?? 32, req.inputSize ?? 32];
  if (info.size && req.inputSize && (info.size[0] !== req.inputSize || info.size[1] !== req.inputSize))
    notes.push(
      `The graph fixes its input at ${info.size.join('x')}; --input-size ${req.inputSize} is ignored.`,
    );
  if (size[0] !== 32 || size[1] !== 32)
    notes.push(`Images are resized from 32x32 to ${size.join('x')} (bilinear).`);
  if (info.batch !== null)
    notes.push(
      `The graph fixes its batch at ${info.batch}: images go through ${info.batch} at a time` +
        (info.batch === 1
          ? ' (slower than a symbolic batch; export with a dynamic batch axis for speed).'
          : '.'),
    );

  const candidatesHint = (stages: string[]) =>
    stages.length ? ` Likely candidates (the outputs of the residual stages): ${stages.join(', ')}.` : '';
  // A first probe: the shapes of logits and every residual output (for the candidates and the defaults).
  const probe1 = await probeShapes(bytes, file, info, size, [info.logits, ...info.residualOutputs]);
  const stages = stageOutputs(info.residualOutputs, probe1);
  const ld = probe1.get(info.logits)!;
  if (ld.length !== 2)
    throw bad(file, `its output ${info.logits} has shape [${ld.join(', ')}]; logits must be (N, classes).`);
  const C = ld[1];
  if (req.dataset === 'cifar100' && C !== 100)
    throw bad(
      file,
      `its logits have ${C} classes, but CIFAR-100 has 100. Choose the data set the model was trained on.`,
    );

  let features: string;
  if (req.features) {
    const t = resolveTensor(info, req.features);
    if (!t)
      throw bad(
        file,
        `has no tensor or node named '${req.features}' (for --features).${candidatesHint(stages)}`,
      );
    features = t;
  } else if (info.head) {
    features = info.head.features;
  } else {
    throw bad(
      file,
      `the penultimate features cannot be found: ${info.headProblem}. Name the features tensor with --features NODE.` +
        candidatesHint(stages),
    );
  }
  const head = info.head && info.head.features === features ? info.head : null;
  if (!head)
    notes.push(
      `The classifier on ${features} is not a Gemm/MatMul read from the graph: W and b are fitted by least squares ` +
        'from the features to the logits on the ID training set (exact when the head is linear).',
    );

  const layerNames = req.layers?.length ? req.layers : stages;
  const layers = layerNames.map((l) => {
    const t = resolveTensor(info, l);
    if (!t) throw bad(file, `has no tensor or node named '${l}' (for --layers).${candidatesHint(stages)}`);
    return t;
  });
  if (!req.layers?.length && layers.length)
    notes.push(`Layer-wise study on the stage outputs ${layers.join(', ')} (name others with --layers).`);

  const probe2 = await probeShapes(bytes, file, info, size, [info.logits, features, ...layers]);
  const fd = probe2.get(features)!;
  if (fd.length !== 2 && fd.length !== 4)
    throw bad(file, `the features tensor ${features} has shape [${fd.join(', ')}]; it must be 2-D or 4-D.`);
  const D = fd[1];
  if (fd.length === 4)
    notes.push(`The features ${features} are 4-D: they are global-average-pooled to ${D} values.`);
  if (head && head.D !== D)
    throw bad(file, `the head's weight has ${head.D} columns but its input ${features} has ${D} values.`);
  const layerDims = layers.map((l) => {
    const d = probe2.get(l)!;
    if (d.length !== 2 && d.length !== 4)
      throw bad(
        file,
        `the layer tensor ${l} has shape [${d.join(', ')}]; only 2-D or 4-D tensors can be used.`,
      );
    if (d.length === 4)
      notes.push(`${l} (${d.slice(1).join('x')}) is global-average-pooled to ${d[1]} values.`);
    return d[1];
  });

  const name =
    req.name ??
    (basename(file)
      .replace(/\.onnx$/i, '')
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 40) ||
      'imported');
  const width = Math.min(128, Math.max(1, Math.round(D / 8)));
  const config =
    req.dataset === 'synthetic'
      ? { dataset: 'synthetic' as const, synthetic: { classes: C, trainPerClass: 64, testPerClass: 16 } }
      : { dataset: 'cifar100' as const };
  const { manifest, model } = await createImportedRun(
    home,
    name,
    { ...config, width, epochs: 1, batchSize: 128, lr: 0.1, schedule: 'cosine' },
    {
      format: 'onnx',
      file: 'checkpoints/best/model.onnx',
      source: file,
      classes: C,
      dim: D,
      mean: (req.mean ?? CIFAR100_MEAN) as [number, number, number],
      std: (req.std ?? CIFAR100_STD) as [number, number, number],
      onnx: {
        input: info.input,
        batch: info.batch,
        size,
        logits: info.logits,
        features,
        layers,
        layerDims,
        head: head ? head.via : 'fitted',
        opset: info.opset,
        producer: info.producer,
      },
    },
    file,
    async () => {},
  );
  return { run: manifest, model, notes };
}
