import { describe, expect, it } from 'vitest';
import type { HeatmapSeriesOption, LineSeriesOption } from 'echarts';
import { aurocCells, aurocHeatmapOption, oodDatasets } from '../../../../common/charts/auroc-heatmap';
import { histogramPoints, oodHistogramsOption } from '../../../../common/charts/ood-histograms';
import { rocOption } from '../../../../common/charts/roc';
import { ood } from './fixtures';

const off = { animation: false } as const;
const json = (v: unknown) => JSON.stringify(v, null, 2);

describe('OOD score histograms', () => {
  it('bins hold each set’s counts (summing to its size) and shares summing to 100%', () => {
    const s = oodHistogramsOption(ood.methods, 'svhn', off).series as LineSeriesOption[];
    expect(s.map((x) => x.name)).toEqual(['ID test', 'svhn', 'ID test', 'svhn']);
    const pts = s.map((x) => x.data as [number, number, number][]);
    const sum = (a: number[]) => a.reduce((t, v) => t + v, 0);
    expect(pts.map((p) => sum(p.map((q) => q[2])))).toEqual([10, 8, 10, 8]);
    for (const p of pts) expect(sum(p.map((q) => q[1]))).toBeCloseTo(100, 9);
    // hand-worked: MSP's svhn counts [4, 3, 1, 0] of 8 over edges 0.25..1.25
    expect(pts[1]).toEqual([
      [0.25, 0, 0],
      [0.25, 50, 4],
      [0.5, 37.5, 3],
      [0.75, 12.5, 1],
      [1, 0, 0],
      [1.25, 0, 0],
    ]);
  });
  it('an empty histogram has zero shares, not NaN', () => {
    expect(histogramPoints([0, 1, 2], [0, 0])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
    ]);
  });
  it('matches its snapshots', async () => {
    for (const d of oodDatasets(ood))
      await expect(json(oodHistogramsOption(ood.methods, d, off))).toMatchFileSnapshot(
        `./__snapshots__/ood-histograms-${d}.json`,
      );
  });
});

describe('ROC', () => {
  it('draws each method’s curve in percent with its FPR@95 point on TPR 95%', () => {
    const s = rocOption(ood.methods, 'dtd', off).series as LineSeriesOption[];
    expect(s).toHaveLength(3); // two methods + the chance line
    expect(s[0].name).toBe('MSP  AUROC 75.0%  FPR@95 50.0%');
    expect(s[0].data).toEqual([
      [0, 0],
      [50, 95],
      [100, 100],
    ]);
    expect(s[1].markPoint?.data).toEqual([{ name: 'FPR@95', coord: [60, 95] }]);
  });
  it('matches its snapshots', async () => {
    for (const d of oodDatasets(ood))
      await expect(json(rocOption(ood.methods, d, off))).toMatchFileSnapshot(`./__snapshots__/roc-${d}.json`);
  });
});

describe('AUROC heat map', () => {
  it('has one cell per method x set holding the AUROC in percent', () => {
    expect(oodDatasets(ood)).toEqual(['svhn', 'dtd']);
    expect(aurocCells(ood)).toEqual([
      [0, 0, 90],
      [1, 0, 75],
      [0, 1, 95],
      [1, 1, 70],
    ]);
    const [s] = aurocHeatmapOption(ood, off).series as HeatmapSeriesOption[];
    expect(s.data).toEqual(aurocCells(ood));
  });
  it('matches its snapshot', async () => {
    await expect(json(aurocHeatmapOption(ood, off))).toMatchFileSnapshot(
      './__snapshots__/auroc-heatmap.json',
    );
  });
});
