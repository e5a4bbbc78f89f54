// `oodlab import-model FILE`: an ONNX classifier (or a PyTorch state_dict of the study's CIFAR ResNet-18) becomes a
// run of kind 'imported', through the same 'models.import' request the Runs page's "Import model…" sends.
import { parseArgs } from 'node:util';
import type { ImportModelResult } from '../../../common/contract/models';
import { createRuntime } from '../../runtime';
import type { Command } from '../io';

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

export const importModel: Command = {
  summary: 'Import a classifier made elsewhere (ONNX, or a PyTorch ResNet-18 state_dict) as a run to analyse',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        dataset: { type: 'string' },
        mean: { type: 'string' },
        std: { type: 'string' },
        'input-size': { type: 'string' },
        features: { type: 'string' },
        layers: { type: 'string' },
        arch: { type: 'string' },
        width: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) throw new Error(`give one model file\nusage: ${usage}`);
    const rt = createRuntime({ mode: 'browser' });
    const res = await rt.api.call('models.import', {
      path: positionals[0],
      ...(values.name ? { name: values.name } : {}),
      ...(values.dataset ? { dataset: values.dataset } : {}),
      ...(values.mean ? { mean: triple(values.mean, 'mean') } : {}),
      ...(values.std ? { std: triple(values.std, 'std') } : {}),
      ...(values['input-size'] ? { inputSize: Number(values['input-size']) } : {}),
      ...(values.features ? { features: values.features } : {}),
      ...(values.layers ? { layers: values.layers.split(',').map((s) => s.trim()) } : {}),
      ...(values.arch ? { arch: values.arch } : {}),
      ...(values.width ? { width: Number(values.width) } : {}),
    });
    if (res.error) {
      io.err(`error: ${res.error.message}`);
      return 1;
    }
    const r = res.result as ImportModelResult;
    if (values.json) {
      io.out(JSON.stringify(r, null, 2));
      return 0;
    }
    const m = r.model;
    io.out(`Imported ${m.source} as run ${r.run.id} (sha256 ${m.sha256}).`);
    io.out(
      `  ${m.classes} classes, ${m.dim}-d penultimate features` +
        (m.onnx ? ` (${m.onnx.features}, head ${m.onnx.head})` : ''),
    );
    if (m.onnx)
      io.out(
        `  input ${m.onnx.input}: ${m.onnx.batch ?? 'N'}x3x${m.onnx.size.join('x')}, opset ${m.onnx.opset}` +
          (m.onnx.layers.length
            ? `; layers ${m.onnx.layers.map((l, k) => `layer${k + 1}=${l}`).join(', ')}`
            : ''),
      );
    if (m.arch) io.out(`  ${m.arch.name}, width ${m.arch.width}`);
    io.out(`  normalisation: mean ${m.mean.join(',')} std ${m.std.join(',')}`);
    for (const n of r.notes) io.out(`  note: ${n}`);
    io.out(
      `Next: oodlab evaluate ${r.run.id}   oodlab analyze ${r.run.id} --layers   oodlab export ${r.run.id}`,
    );
    return 0;
  },
};
