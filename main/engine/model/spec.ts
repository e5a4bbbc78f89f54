/**
 * The CIFAR ResNet-18 as a list of named tensors, computed from (width, classes) alone: the model allocates
 * from it, checkpoints validate against it, and the parameter count needs no allocation. Names follow the
 * common PyTorch CIFAR ResNet (conv1, bn1, layerK.B.conv1, .shortcut.0/1, linear) so that exported weights
 * read naturally; conv weights are stored in tfjs' HWIO layout, the classifier as (classes, features).
 */
export type TensorRole = 'conv' | 'gamma' | 'beta' | 'fcWeight' | 'fcBias' | 'runningMean' | 'runningVar';

export interface TensorSpec {
  name: string;
  shape: number[];
  role: TensorRole;
}

export interface BlockSpec {
  prefix: string;
  inChannels: number;
  outChannels: number;
  stride: number;
  /** 1x1 conv + BN projection when the shape changes. */
  projection: boolean;
}

export const stageStrides = [1, 2, 2, 2] as const;
export const blocksPerStage = 2;

export function blockSpecs(width: number): BlockSpec[] {
  const blocks: BlockSpec[] = [];
  let inC = width;
  stageStrides.forEach((stride, s) => {
    const outC = width * 2 ** s;
    for (let b = 0; b < blocksPerStage; b++) {
      const st = b === 0 ? stride : 1;
      blocks.push({
        prefix: `layer${s + 1}.${b}`,
        inChannels: inC,
        outChannels: outC,
        stride: st,
        projection: st !== 1 || inC !== outC,
      });
      inC = outC;
    }
  });
  return blocks;
}

function bn(name: string, c: number): TensorSpec[] {
  return [
    { name: `${name}.weight`, shape: [c], role: 'gamma' },
    { name: `${name}.bias`, shape: [c], role: 'beta' },
    { name: `${name}.running_mean`, shape: [c], role: 'runningMean' },
    { name: `${name}.running_var`, shape: [c], role: 'runningVar' },
  ];
}

function conv(name: string, k: number, inC: number, outC: number): TensorSpec {
  return { name: `${name}.weight`, shape: [k, k, inC, outC], role: 'conv' };
}

/** Every tensor of the model (parameters and BN running statistics), in a fixed order. */
export function tensorSpecs(width: number, numClasses: number): TensorSpec[] {
  if (!Number.isInteger(width) || width < 1)
    throw new Error(`ResNet width must be a positive integer, got ${width}`);
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new Error(`class count must be an integer >= 2, got ${numClasses}`);
  const specs: TensorSpec[] = [conv('conv1', 3, 3, width), ...bn('bn1', width)];
  for (const b of blockSpecs(width)) {
    specs.push(
      conv(`${b.prefix}.conv1`, 3, b.inChannels, b.outChannels),
      ...bn(`${b.prefix}.bn1`, b.outChannels),
    );
    specs.push(
      conv(`${b.prefix}.conv2`, 3, b.outChannels, b.outChannels),
      ...bn(`${b.prefix}.bn2`, b.outChannels),
    );
    if (b.projection) {
      specs.push(
        conv(`${b.prefix}.shortcut.0`, 1, b.inChannels, b.outChannels),
        ...bn(`${b.prefix}.shortcut.1`, b.outChannels),
      );
    }
  }
  specs.push({ name: 'linear.weight', shape: [numClasses, 8 * width], role: 'fcWeight' });
  specs.push({ name: 'linear.bias', shape: [numClasses], role: 'fcBias' });
  return specs;
}

export function isTrainable(role: TensorRole): boolean {
  return role !== 'runningMean' && role !== 'runningVar';
}

/** Trainable parameters (conv weights, BN gamma/beta, fc weight/bias); 11,220,132 at width 64 with 100 classes. */
export function countParams(width: number, numClasses: number): number {
  let n = 0;
  for (const s of tensorSpecs(width, numClasses))
    if (isTrainable(s.role)) n += s.shape.reduce((a, b) => a * b, 1);
  return n;
}
