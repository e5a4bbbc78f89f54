// `oodlab import-model FILE`: an ONNX classifier (or a PyTorch state_dict of the study's CIFAR ResNet-18) becomes a
// run of kind 'imported', through the same 'models.import' request the Runs page's "Import model…" sends.
import type { ImportModelResult } from '../../../common/contract/models';
import { command, printResult, shared, strings } from '../args';
import { cliRuntime, invokeArgs } from '../client';

const usage =
  'oodlab import-model FILE.onnx [--name NAME] [--dataset cifar100|synthetic] [--mean r,g,b] [--std r,g,b]\n' +
  '                   [--input-size 32] [--features NODE] [--layers NODE,NODE,...] [--json]\n' +
  '       oodlab import-model best_model.pth|model.safetensors --arch resnet18-cifar [--width 64] [--dataset ...]';

function triple(s: string | undefined, what: string): [number, number, number] | undefined {
  if (s === undefined) return undefined;
  const v = s.split(',').map(Number);
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x)))
    throw new Error(`--${what} takes three numbers r,g,b`);
  return v as [number, number, number];
}

export const importModel = command({
  summary: 'Import a classifier made elsewhere (ONNX, or a PyTorch ResNet-18 state_dict) as a run to analyse',
  usage,
  options: {
    ...shared.json,
    ...shared.features,
    ...strings('name', 'dataset', 'mean', 'std', 'input-size', 'layers', 'arch', 'width'),
  },
  positionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new Error(`give one model file\nusage: ${usage}`);
    const r = await invokeArgs(cliRuntime().api, 'models.import', {
      path: positionals[0],
      name: values.name || undefined,
      dataset: values.dataset || undefined,
      mean: values.mean ? triple(values.mean, 'mean') : undefined,
      std: values.std ? triple(values.std, 'std') : undefined,
      inputSize: values['input-size'] ? Number(values['input-size']) : undefined,
      features: values.features || undefined,
      layers: values.layers ? values.layers.split(',').map((s) => s.trim()) : undefined,
      arch: values.arch || undefined,
      width: values.width ? Number(values.width) : undefined,
    });
    printResult(io, values.json, r, imported);
    return 0;
  },
});

function imported(r: ImportModelResult): string {
  const m = r.model;
  return [
    `Imported ${m.source} as run ${r.run.id} (sha256 ${m.sha256}).`,
    `  ${m.classes} classes, ${m.dim}-d penultimate features` +
      (m.onnx ? ` (${m.onnx.features}, head ${m.onnx.head})` : ''),
    ...(m.onnx
      ? [
          `  input ${m.onnx.input}: ${m.onnx.batch ?? 'N'}x3x${m.onnx.size.join('x')}, opset ${m.onnx.opset}` +
            (m.onnx.layers.length
              ? `; layers ${m.onnx.layers.map((l, k) => `layer${k + 1}=${l}`).join(', ')}`
              : ''),
        ]
      : []),
    ...(m.arch ? [`  ${m.arch.name}, width ${m.arch.width}`] : []),
    `  normalisation: mean ${m.mean.join(',')} std ${m.std.join(',')}`,
    ...r.notes.map((n) => `  note: ${n}`),
    `Next: oodlab evaluate ${r.run.id}   oodlab analyze ${r.run.id} --layers   oodlab export ${r.run.id}`,
  ].join('\n');
}
