// OpenOOD's near/far groups: expansion of --datasets words and the group means, checked on a hand-worked example.
import { describe, expect, it } from 'vitest';
import { aurocCells, heatmapColumns } from '../../../../common/charts/auroc-heatmap';
import type { OodMetrics, OodResults } from '../../../../common/contract/ood';
import { benchmarkGroups, expandDatasets, groupMeans } from '../../../../common/ood/groups';

const metrics = (auroc: number, fpr95: number): OodMetrics => ({
  auroc,
  fpr95,
  fpr95OpenOOD: fpr95 / 2,
  auprIn: auroc - 0.1,
  auprOut: auroc - 0.2,
  detectionError: 0.1,
  nId: 10,
  nOod: 10,
});
const method = (m: 'msp' | 'vim', sets: Record<string, [number, number]>) => ({
  method: m,
  datasets: Object.fromEntries(
    Object.entries(sets).map(([k, [a, f]]) => [k, { metrics: metrics(a, f), roc: { fpr: [], tpr: [] } }]),
  ),
});

describe('benchmark groups', () => {
  it("follows OpenOOD v1.5's protocol for CIFAR-100 and CIFAR-10, none elsewhere", () => {
    expect(benchmarkGroups('cifar100')).toEqual({
      near: ['cifar10', 'tinyimagenet'],
      far: ['mnist', 'svhn', 'dtd', 'places365'],
    });
    expect(benchmarkGroups('cifar10')?.near).toEqual(['cifar100', 'tinyimagenet']);
    expect(benchmarkGroups('synthetic')).toBeNull();
    expect(benchmarkGroups('my-pets')).toBeNull();
  });

  it('expands near / far / all and keeps ids, without duplicates', () => {
    expect(expandDatasets(['near'], 'cifar100')).toEqual(['cifar10', 'tinyimagenet']);
    expect(expandDatasets(['svhn', 'far', 'mine'], 'cifar10')).toEqual([
      'svhn',
      'mnist',
      'dtd',
      'places365',
      'mine',
    ]);
    expect(expandDatasets(['all'], 'cifar100')).toHaveLength(6);
    expect(() => expandDatasets(['near'], 'synthetic')).toThrow(/CIFAR-10 and CIFAR-100 models only/);
    expect(expandDatasets(['synthetic-ood'], 'synthetic')).toEqual(['synthetic-ood']);
  });

  it('means each metric over the evaluated sets of a group, per method', () => {
    const r = {
      groups: benchmarkGroups('cifar100'),
      methods: [
        method('msp', { cifar10: [0.8, 0.6], tinyimagenet: [0.7, 0.5], svhn: [0.9, 0.3] }),
        method('vim', { svhn: [0.95, 0.2], dtd: [0.85, 0.4] }),
      ],
    } as unknown as Pick<OodResults, 'methods' | 'groups'>;
    const g = groupMeans(r);
    expect(g.msp.map((x) => x.group)).toEqual(['near', 'far']);
    expect(g.msp[0].sets).toEqual(['cifar10', 'tinyimagenet']);
    expect(g.msp[0].metrics.auroc).toBeCloseTo(0.75, 12);
    expect(g.msp[0].metrics.fpr95).toBeCloseTo(0.55, 12);
    expect(g.msp[0].metrics.fpr95OpenOOD).toBeCloseTo(0.275, 12);
    expect(g.msp[1]).toMatchObject({ sets: ['svhn'] });
    expect(g.msp[1].metrics.auroc).toBeCloseTo(0.9, 12);
    expect(g.vim.map((x) => x.group)).toEqual(['far']); // no near set scored: no near mean
    expect(g.vim[0].metrics.auprOut).toBeCloseTo((0.75 + 0.65) / 2, 12);
    expect(groupMeans({ ...r, groups: null }).msp).toEqual([]);
  });

  it('adds near / far mean columns to the AUROC heatmap', () => {
    const r = {
      oodSets: { cifar10: 10, svhn: 10 },
      groups: benchmarkGroups('cifar100'),
      methods: [method('msp', { cifar10: [0.8, 0.6], svhn: [0.9, 0.3] })],
    } as unknown as OodResults;
    expect(heatmapColumns(r)).toEqual(['cifar10', 'svhn', 'near mean', 'far mean']);
    expect(aurocCells(r)).toEqual([
      [0, 0, 80],
      [1, 0, 90],
      [2, 0, 80],
      [3, 0, 90],
    ]);
  });
});
