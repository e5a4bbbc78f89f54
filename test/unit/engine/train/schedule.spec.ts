import { describe, expect, it } from 'vitest';
import { learningRate, type ScheduleConfig } from '../../../../main/engine/train/schedule';

// 10 epochs of 100 steps, peak 0.1. Expected values worked out by hand (see each comment).
const base: ScheduleConfig = {
  lr: 0.1,
  epochs: 10,
  schedule: 'cosine',
  minLr: 0,
  milestones: [],
  gamma: 0.1,
  warmupEpochs: 0,
};
const S = 100;

describe('learningRate', () => {
  it('cosine without warm-up', () => {
    expect(learningRate(base, 0, S)).toBeCloseTo(0.1, 12); // cos(0) = 1
    expect(learningRate(base, 250, S)).toBeCloseTo(0.0853553390593, 12); // 0.05 * (1 + cos(pi/4))
    expect(learningRate(base, 500, S)).toBeCloseTo(0.05, 12); // half way: cos(pi/2) = 0
    expect(learningRate(base, 999, S)).toBeCloseTo(2.4674e-7, 10); // 0.05 * (1 - cos(0.001 pi))
  });

  it('cosine decays to minLr', () => {
    const c = { ...base, minLr: 0.001 };
    expect(learningRate(c, 500, S)).toBeCloseTo(0.001 + 0.099 * 0.5, 12);
    expect(learningRate(c, 0, S)).toBeCloseTo(0.1, 12);
  });

  it('linear warm-up per step, then cosine over the remaining epochs', () => {
    const c = { ...base, warmupEpochs: 2 };
    expect(learningRate(c, 0, S)).toBeCloseTo(0.0005, 12); // 0.1 * 1/200
    expect(learningRate(c, 99, S)).toBeCloseTo(0.05, 12); // 0.1 * 100/200
    expect(learningRate(c, 199, S)).toBeCloseTo(0.1, 12); // last warm-up step reaches the peak
    expect(learningRate(c, 200, S)).toBeCloseTo(0.1, 12); // cosine starts at p = 0
    expect(learningRate(c, 600, S)).toBeCloseTo(0.05, 12); // p = (6 - 2) / 8 = 0.5
  });

  it('multi-step changes at epoch boundaries only', () => {
    const c = { ...base, schedule: 'multistep' as const, milestones: [3, 6], gamma: 0.2 };
    expect(learningRate(c, 0, S)).toBeCloseTo(0.1, 12);
    expect(learningRate(c, 299, S)).toBeCloseTo(0.1, 12); // still epoch 2
    expect(learningRate(c, 300, S)).toBeCloseTo(0.02, 12); // epoch 3: one milestone passed
    expect(learningRate(c, 599, S)).toBeCloseTo(0.02, 12);
    expect(learningRate(c, 600, S)).toBeCloseTo(0.004, 12); // two milestones: 0.1 * 0.2^2
    expect(learningRate(c, 999, S)).toBeCloseTo(0.004, 12);
  });

  it('multi-step with warm-up', () => {
    const c = { ...base, schedule: 'multistep' as const, milestones: [5], warmupEpochs: 1 };
    expect(learningRate(c, 49, S)).toBeCloseTo(0.05, 12);
    expect(learningRate(c, 100, S)).toBeCloseTo(0.1, 12);
    expect(learningRate(c, 500, S)).toBeCloseTo(0.01, 12);
  });
});
