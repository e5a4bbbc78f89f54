// Named starting points for a training run. `quick`'s size comes from measured throughput (see its description and
// bench/epochs-per-hour.ts); `paper` is the seed study's recipe; `smoke` exists so tests and first-time users see a
// whole run (checkpoints, history, resume) in seconds.
import type { PresetName, TrainConfigInput } from '../contract/train';
import { SYNTHETIC_DEFAULTS, TrainConfig } from '../contract/train';

interface Preset {
  description: string;
  config: TrainConfigInput;
}

export const presets: Record<PresetName, Preset> = {
  paper: {
    description:
      'The seed study: ResNet-18 (width 64) on CIFAR-100, 200 epochs, batch 128, SGD lr 0.1 momentum 0.9, ' +
      'weight decay 5e-4, cosine schedule. Needs a GPU backend to finish in a reasonable time.',
    config: {
      dataset: 'cifar100',
      width: 64,
      epochs: 200,
      batchSize: 128,
      lr: 0.1,
      schedule: 'cosine',
      momentum: 0.9,
      nesterov: false,
      weightDecay: 5e-4,
      augment: true,
      checkpointEvery: 10,
      backend: 'auto',
    },
  },
  quick: {
    description:
      'A CPU-friendly CIFAR-100 run of about 20 minutes on 2 cores: width 32, 16 epochs of 14,720 images (a fresh ' +
      'random subset each epoch, 235,520 images in all, 5.2 passes over the 45,000 trained on), batch 64, lr 0.1 ' +
      'with Nesterov momentum, 1 warm-up epoch then cosine decay, 2,000 test images, and the 5,000-image validation ' +
      'split (10% held out of training, evaluated each epoch) that chooses the best epoch. Sized on a 2-vCPU AMD ' +
      'EPYC machine shared with other VMs, with the ONNX Runtime engine in NCHWc blocks: bench/epochs-per-hour.ts ' +
      'gives 243 training and 1,640 evaluation images/s at width 32 (71 training at width 64), and this whole run ' +
      'took 18.4 minutes (201-255 images/s, peak RSS 1.1 GiB). Width 64 would manage about one and a half passes. ' +
      'The recipe is the one bench/fidelity/torch_quick.py gives PyTorch.',
    config: {
      dataset: 'cifar100',
      width: 32,
      epochs: 16,
      samplesPerEpoch: 14720,
      testSamples: 2000,
      batchSize: 64,
      lr: 0.1,
      schedule: 'cosine',
      warmupEpochs: 1,
      nesterov: true,
      augment: true,
      checkpointEvery: 2,
      backend: 'auto',
    },
  },
  smoke: {
    description:
      'Seconds: a tiny network (width 4) on 4 synthetic classes, 4 epochs of 16 steps. Checks the machinery ' +
      '(checkpoints, history, resume); small batches give BN running statistics enough steps to settle.',
    config: {
      dataset: 'synthetic',
      synthetic: { classes: 4, trainPerClass: 64, testPerClass: 16 },
      width: 4,
      epochs: 4,
      batchSize: 16,
      lr: 0.05,
      schedule: 'cosine',
      augment: false,
      checkpointEvery: 1,
      backend: 'auto',
    },
  },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A preset with overrides applied (nested objects such as `synthetic` merge one level deep), validated. A preset
 * switched to the synthetic dataset gets default synthetic options.
 * Throws the zod error when the result is not a valid config.
 */
export function presetConfig(name: PresetName, overrides: Record<string, unknown> = {}): TrainConfig {
  const base: Record<string, unknown> = { ...presets[name].config };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    base[k] = isPlainObject(v) && isPlainObject(base[k]) ? { ...base[k], ...v } : v;
  }
  if (base.dataset === 'synthetic' && base.synthetic === undefined) base.synthetic = SYNTHETIC_DEFAULTS;
  return TrainConfig.parse(base);
}
