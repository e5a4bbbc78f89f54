// A run's class count and data label come from its history, else from the data set registry's listing (classes and
// name of the set it trains on), else, for the synthetic set, from its config or the synthetic defaults.
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../common/contract/runs';
import { presetConfig } from '../../../common/train/presets';
import { dataLabelOf, numClassesOf } from '../../../renderer/src/lib/run-classes';
import { addedFrom, datasetInfo } from '../../helpers/datasets';

const info = (id: string, name: string, classes: number, custom = false) =>
  datasetInfo(id, 'id', { name, classes, ...(custom ? { custom: addedFrom } : {}) });
const sets = [
  info('cifar100', 'CIFAR-100', 100),
  info('cifar10', 'CIFAR-10', 10),
  info('pets', 'Pets', 37, true),
];
const run = (overrides: Record<string, unknown>): Pick<RunDetail, 'config' | 'history'> => ({
  config: presetConfig('quick', overrides),
  history: null,
});

describe('run classes', () => {
  it('reads the class count and the name of the set from the listing', () => {
    expect(numClassesOf(run({ dataset: 'cifar10' }), sets)).toBe(10);
    expect(dataLabelOf(run({ dataset: 'cifar10' }), sets)).toBe('CIFAR-10');
    expect(numClassesOf(run({ dataset: 'cifar100' }), sets)).toBe(100);
    expect(dataLabelOf(run({ dataset: 'pets' }), sets)).toBe('pets (37 classes)');
    expect(numClassesOf(run({ dataset: 'cifar10' }), [])).toBe(0); // not listed yet
  });

  it('takes the synthetic class count from the config, and the history over everything', () => {
    const syn = run({ dataset: 'synthetic', synthetic: { classes: 6, trainPerClass: 5, testPerClass: 5 } });
    expect(numClassesOf(syn, sets)).toBe(6);
    expect(dataLabelOf(syn, sets)).toBe('synthetic, 6 classes');
    const bare = { config: { ...presetConfig('quick'), dataset: 'synthetic' }, history: null };
    expect(numClassesOf(bare, sets)).toBe(10); // no synthetic options: the synthetic defaults
    const trained = run({ dataset: 'cifar10' });
    expect(numClassesOf({ ...trained, history: { config: { numClasses: 7 } } } as typeof trained, sets)).toBe(
      7,
    );
  });
});
