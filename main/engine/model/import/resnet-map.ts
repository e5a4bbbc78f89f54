// A PyTorch state_dict of a CIFAR ResNet-18 onto OODLab's tensors (spec.ts). Accepted layouts: the study's
// (kuangliu/pytorch-cifar: conv1, bn1, layerK.B.{conv,bn}{1,2}, shortcut.0/1, linear) and the torchvision-style
// names (downsample.0/1, fc), with or without DataParallel's `module.` (or torch.compile's `_orig_mod.`) prefix.
// Conv weights go from PyTorch's OIHW to tfjs' HWIO; num_batches_tracked is dropped. Anything missing, extra or
// of the wrong shape is listed in the error.
import { oihwShape, oihwToHwio } from '../layout';
import type { ResNetWeights } from '../onnx/export';
import { tensorSpecs } from '../spec';
import type { NamedArray } from './torch-load';

export class MappingError extends Error {}

export function ourName(key: string): string | null {
  let k = key.replace(/^(module\.|_orig_mod\.)+/, '');
  if (k.endsWith('num_batches_tracked')) return null;
  k = k.replace('.downsample.', '.shortcut.').replace(/^fc\./, 'linear.');
  return k;
}

export function mapResNet18(
  sd: Map<string, NamedArray>,
  width?: number,
): { weights: ResNetWeights; width: number; numClasses: number } {
  const byName = new Map<string, NamedArray>();
  for (const [k, v] of sd) {
    const n = ourName(k);
    if (n) byName.set(n, v);
  }
  const conv1 = byName.get('conv1.weight');
  const fc = byName.get('linear.weight');
  if (!conv1 || !fc)
    throw new MappingError(
      `not a CIFAR ResNet-18 state_dict: ${!conv1 ? 'conv1.weight' : 'linear.weight (or fc.weight)'} is missing ` +
        `(keys start: ${[...sd.keys()].slice(0, 5).join(', ')}…)`,
    );
  if (conv1.shape.length !== 4 || conv1.shape[2] !== 3)
    throw new MappingError(
      `conv1.weight has shape [${conv1.shape.join(', ')}]: a CIFAR ResNet-18 has a 3x3 stem (a 7x7 one is ` +
        "torchvision's ImageNet ResNet; export such a model to ONNX and import that instead)",
    );
  const w = conv1.shape[0];
  if (width !== undefined && width !== w)
    throw new MappingError(`--width ${width} was given, but conv1 has ${w} output channels (width ${w})`);
  const numClasses = fc.shape[0];
  const specs = tensorSpecs(w, numClasses);
  const weights: ResNetWeights = new Map();
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const s of specs) {
    const a = byName.get(s.name);
    if (!a) {
      missing.push(s.name);
      continue;
    }
    const expect = s.role === 'conv' ? oihwShape(s.shape) : s.shape;
    if (a.shape.join('x') !== expect.join('x')) {
      wrong.push(`${s.name} is [${a.shape.join(', ')}], expected [${expect.join(', ')}]`);
      continue;
    }
    weights.set(s.name, { shape: s.shape, data: s.role === 'conv' ? oihwToHwio(s.shape, a.data) : a.data });
  }
  const known = new Set(specs.map((s) => s.name));
  const extra = [...byName.keys()].filter((k) => !known.has(k));
  const problems = [
    missing.length
      ? `missing ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ` and ${missing.length - 6} more` : ''}`
      : '',
    wrong.length ? wrong.slice(0, 4).join('; ') : '',
    extra.length
      ? `unexpected ${extra.slice(0, 6).join(', ')}${extra.length > 6 ? ` and ${extra.length - 6} more` : ''}`
      : '',
  ].filter(Boolean);
  if (problems.length)
    throw new MappingError(
      `does not match a width-${w} CIFAR ResNet-18 with ${numClasses} classes: ${problems.join('; ')}`,
    );
  return { weights, width: w, numClasses };
}
