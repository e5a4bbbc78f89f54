// The learning rate at every optimiser step, from the config alone, so that a resumed run continues on exactly the
// curve it started on. Warm-up and cosine move per step; multi-step changes only at epoch boundaries (as PyTorch's
// MultiStepLR stepped once per epoch).
import type { TrainConfig } from '../../../common/contract/train';

export type ScheduleConfig = Pick<
  TrainConfig,
  'lr' | 'epochs' | 'schedule' | 'minLr' | 'milestones' | 'gamma' | 'warmupEpochs'
>;

/**
 * Learning rate of step `step` (0-based, counted over the whole run) with `stepsPerEpoch` steps an epoch.
 * Warm-up: lr * (step + 1) / (warmupEpochs * stepsPerEpoch), reaching lr at its last step.
 * Cosine: minLr + (lr - minLr) * (1 + cos(pi * p)) / 2, p = (t - warmup) / (epochs - warmup), t = step / stepsPerEpoch.
 * Multi-step: lr * gamma^(number of milestones <= the current 0-based epoch).
 */
export function learningRate(c: ScheduleConfig, step: number, stepsPerEpoch: number): number {
  const t = step / stepsPerEpoch;
  const warmup = c.warmupEpochs;
  if (warmup > 0 && t < warmup) return (c.lr * (step + 1)) / (warmup * stepsPerEpoch);
  if (c.schedule === 'cosine') {
    const p = Math.min(1, (t - warmup) / (c.epochs - warmup));
    return c.minLr + ((c.lr - c.minLr) * (1 + Math.cos(Math.PI * p))) / 2;
  }
  const epoch = Math.floor(t);
  const passed = c.milestones.filter((m) => m <= epoch).length;
  return c.lr * c.gamma ** passed;
}
