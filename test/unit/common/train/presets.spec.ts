import { describe, expect, it } from 'vitest';
import { TrainConfig, TrainConfigFields } from '../../../../common/contract/train';
import { presetConfig, presets } from '../../../../common/train/presets';
import { stepsPerEpoch } from '../../../../main/engine/train/order';

describe('presets', () => {
  it('every preset is a valid config', () => {
    for (const name of Object.keys(presets) as (keyof typeof presets)[])
      expect(TrainConfig.safeParse(presets[name].config).success, name).toBe(true);
  });

  it("paper is the seed study's recipe", () => {
    // ResNet-18 width 64 on CIFAR-100, 200 epochs, batch 128, SGD lr 0.1 momentum 0.9 weight decay 5e-4, cosine,
    // augmented: the study's numbers written out here, not read back from the preset
    const { dataset, width, epochs, batchSize, lr, schedule, momentum, weightDecay, augment } =
      presetConfig('paper');
    expect([dataset, width, epochs, batchSize]).toEqual(['cifar100', 64, 200, 128]);
    expect([lr, momentum, weightDecay, schedule, augment]).toEqual([0.1, 0.9, 5e-4, 'cosine', true]);
  });

  it('smoke is tiny and synthetic; quick is CIFAR-100 with bounded epochs', () => {
    const s = presetConfig('smoke');
    expect(s.dataset).toBe('synthetic');
    expect(s.synthetic!.classes * s.synthetic!.trainPerClass).toBeLessThanOrEqual(1000);
    expect(s.width).toBeLessThanOrEqual(8);
    const q = presetConfig('quick');
    expect(q.dataset).toBe('cifar100');
    // images trained in the whole quick run: epochs x steps x batch (the whole run of 16 x 230 batches of 64 at
    // width 32 took 18.4 minutes on 2 cores through the ONNX Runtime engine in NCHWc blocks)
    expect(q.width).toBe(32);
    expect(q.epochs * stepsPerEpoch(q, 45_000) * q.batchSize).toBe(16 * 230 * 64);
    expect(q.epochs * stepsPerEpoch(q, 45_000) * q.batchSize).toBeLessThan(250_000);
  });

  it('overrides replace fields and merge nested options one level deep', () => {
    const c = presetConfig('smoke', { epochs: 5, synthetic: { classes: 6 } });
    expect(c.epochs).toBe(5);
    expect(c.synthetic).toEqual({ classes: 6, trainPerClass: 64, testPerClass: 16 });
    expect(presetConfig('quick', { dataset: 'synthetic' }).synthetic).toBeDefined();
  });

  it('refuses invalid overrides and unknown fields', () => {
    expect(() => presetConfig('smoke', { epochs: 0 })).toThrow();
    expect(() => presetConfig('smoke', { learningRate: 0.1 })).toThrow();
    expect(() => presetConfig('smoke', { warmupEpochs: 4 })).toThrow(/warm-up/);
    expect(() => presetConfig('smoke', { microBatch: 64 })).toThrow(/microBatch/);
  });

  it('every field of the config schema is described, numbers with their unit, for the UI form', () => {
    for (const [key, field] of Object.entries(TrainConfigFields.shape)) {
      expect(field.description, key).toMatch(/\w{4,}/);
      const numeric =
        TrainConfigFields.shape[key as keyof typeof TrainConfigFields.shape].safeParse(1).success;
      if (numeric && key !== 'milestones') expect(field.description, key).toMatch(/\([^)]+\)/);
    }
  });
});
