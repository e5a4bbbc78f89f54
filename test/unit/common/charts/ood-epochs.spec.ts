// The across-training figure: one line per detector, AUROC (%) per kept checkpoint, the mean over the OOD sets
// (hand-worked) or one set's value, on an 'epoch' value axis like NC across epochs; in the registry once the
// series exists.
import { describe, expect, it } from 'vitest';
import { buildFigures } from '../../../../common/charts';
import { ncEpochsOption } from '../../../../common/charts/nc-epochs';
import { oodEpochPoints, oodEpochsOption } from '../../../../common/charts/ood-epochs';
import type { OodEpochs } from '../../../../common/contract/ood';

const point = (epoch: number, a: number, b: number) => ({
  epoch,
  checkpoint: `epoch-${String(epoch).padStart(3, '0')}`,
  methods: { msp: { params: {}, auroc: { svhn: a, dtd: b }, fpr95: { svhn: 0.5, dtd: 0.5 } } },
});
const r: OodEpochs = {
  version: 1,
  runId: 'r',
  createdAt: '2026-01-01T00:00:00Z',
  methods: [{ method: 'msp', label: 'MSP' }],
  oodSets: ['svhn', 'dtd'],
  points: [point(10, 0.7, 0.6), point(5, 0.6, 0.5)],
};

describe('OOD across training figure', () => {
  it('draws each checkpoint in epoch order: mean over sets, or one set', () => {
    expect(oodEpochPoints(r, 'msp')).toEqual([
      [5, 55],
      [10, 65],
    ]);
    expect(oodEpochPoints(r, 'msp', 'dtd')).toEqual([
      [5, 50],
      [10, 60],
    ]);
    expect(oodEpochPoints(r, 'vim')).toEqual([
      [5, null],
      [10, null],
    ]);
    const o = oodEpochsOption(r) as { xAxis: { type: string; name: string; minInterval: number } };
    const nc = ncEpochsOption([]) as { xAxis: { type: string; name: string; minInterval: number } };
    expect([o.xAxis.type, o.xAxis.name, o.xAxis.minInterval]).toEqual([
      nc.xAxis.type,
      nc.xAxis.name,
      nc.xAxis.minInterval,
    ]);
  });

  it('is a figure of the run once the series exists', () => {
    expect(buildFigures({ oodEpochs: r }).map((f) => f.id)).toEqual(['ood-epochs']);
    expect(buildFigures({ oodEpochs: null })).toEqual([]);
  });
});
