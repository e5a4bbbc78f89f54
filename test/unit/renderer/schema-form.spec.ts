import { describe, expect, it } from 'vitest';
import { TrainConfig, TrainConfigFields } from '../../../common/contract/train';
import { presetConfig, presets } from '../../../common/train/presets';
import {
  fieldsOf,
  fromFormValues,
  splitDescription,
  toFormValues,
  validate,
} from '../../../renderer/src/lib/schema-form';

const fields = fieldsOf(TrainConfigFields);
const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));

describe('schema-form', () => {
  it('splits a description into help, unit and note', () => {
    expect(splitDescription('Images per optimiser step (images)')).toEqual({
      help: 'Images per optimiser step',
      unit: 'images',
      note: null,
    });
    expect(splitDescription('Drawn per epoch (images; unset = the whole set)')).toEqual({
      help: 'Drawn per epoch',
      unit: 'images',
      note: 'unset = the whole set',
    });
    // A long parenthesis explains; it is not a unit.
    const long = 'Flip (per-channel normalisation with CIFAR-100 statistics always applies)';
    expect(splitDescription(long)).toEqual({ help: long, unit: null, note: null });
  });

  it('reads kinds, bounds, defaults and options from TrainConfig', () => {
    expect(byKey.batchSize).toMatchObject({
      kind: 'integer',
      min: 2,
      max: 4096,
      unit: 'images',
      optional: false,
    });
    expect(byKey.lr).toMatchObject({ kind: 'number', max: 10, unit: 'per step' });
    expect(byKey.momentum).toMatchObject({ defaultValue: 0.9, unit: 'ratio' });
    expect(byKey.samplesPerEpoch).toMatchObject({
      optional: true,
      min: 1,
      max: null,
      note: 'unset = the whole set',
    });
    expect(byKey.schedule.options).toEqual(['cosine', 'multistep']);
    expect(byKey.milestones.kind).toBe('list');
    expect(byKey.synthetic.fields.map((f) => f.key)).toEqual(['classes', 'trainPerClass', 'testPerClass']);
    expect(fields.map((f) => f.key)).toEqual(Object.keys(TrainConfigFields.shape));
  });

  it('round-trips every preset to the config main/ would build from it', () => {
    for (const name of Object.keys(presets) as (keyof typeof presets)[]) {
      const expected = presetConfig(name);
      const values = toFormValues(fields, expected);
      const r = validate(TrainConfig, fields, values);
      expect(r).toEqual({ ok: true, config: expected });
    }
  });

  it('explains invalid text, bounds, whole numbers and cross-field rules per field', () => {
    const values = toFormValues(fields, presetConfig('smoke'));
    values.batchSize = '1';
    values.lr = 'fast';
    values.width = '2.5';
    (values.synthetic as Record<string, string>).classes = '1';
    values.milestones = '3, x';
    const r = validate(TrainConfig, fields, values);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toMatchObject({
      batchSize: 'Must be at least 2.',
      lr: 'Enter a number.',
      width: 'Must be a whole number.',
      'synthetic.classes': 'Must be at least 2.',
      milestones: 'Give numbers separated by commas.',
    });
  });

  it('shows the cross-field rules of TrainConfig once the fields themselves are valid', () => {
    const smoke = presetConfig('smoke');
    const values = toFormValues(fields, smoke);
    values.warmupEpochs = String(smoke.epochs + 2);
    values.microBatch = String(smoke.batchSize * 2);
    const r = validate(TrainConfig, fields, values);
    expect(r).toEqual({
      ok: false,
      errors: {
        warmupEpochs: 'Warm-up must be shorter than the run.',
        microBatch: 'MicroBatch cannot exceed batchSize.',
      },
    });
  });

  it('leaves empty optional fields out and lists as numbers', () => {
    const values = toFormValues(fields, presetConfig('quick'));
    values.samplesPerEpoch = '';
    values.milestones = '2 4,6';
    const { value, errors } = fromFormValues(fields, values);
    expect(errors).toEqual({});
    expect('samplesPerEpoch' in value).toBe(false);
    expect(value.milestones).toEqual([2, 4, 6]);
  });
});
