import { describe, expect, it } from 'vitest';
import type { HeatmapSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts';
import { cosineHeatmapOption, matrixCells } from '../../../../common/charts/cosine-heatmap';
import { layerNc1Option } from '../../../../common/charts/layer-nc1';
import { ncEpochsOption } from '../../../../common/charts/nc-epochs';
import { pcaGeometryOption } from '../../../../common/charts/pca-geometry';
import { nc } from './fixtures';

const off = { animation: false } as const;
const json = (v: unknown) => JSON.stringify(v, null, 2);

describe('NC across epochs', () => {
  it('sorts checkpoints by epoch and leaves zeros out of the log axis', () => {
    const s = ncEpochsOption(nc.perEpoch, off).series as LineSeriesOption[];
    expect(s).toHaveLength(5);
    expect(s[0].data).toEqual([
      [2, 1],
      [3, 0.4],
      [4, 0.1],
    ]);
    // NC3 = nc1 / 2 in the fixture
    expect(s[3].data).toEqual([
      [2, 0.5],
      [3, 0.2],
      [4, 0.05],
    ]);
    // NC4 is 0 at epoch 4: a gap, not a value a log axis cannot draw
    expect(s[4].data).toEqual([
      [2, 0.1],
      [3, 0.05],
      [4, null],
    ]);
  });
  it('matches its snapshot', async () => {
    await expect(json(ncEpochsOption(nc.perEpoch, off))).toMatchFileSnapshot(
      './__snapshots__/nc-epochs.json',
    );
  });
});

describe('cosine heat map', () => {
  it('has one cell per matrix entry, [column, row, value]', () => {
    const cells = matrixCells(nc.geometry.cosMeans);
    expect(cells).toHaveLength(9);
    for (const [j, i, v] of cells) expect(v).toBe(nc.geometry.cosMeans[i][j]);
    const s = cosineHeatmapOption(nc.geometry, off).series as HeatmapSeriesOption[];
    expect(s.map((x) => (x.data as unknown[]).length)).toEqual([9, 9]);
  });
  it('states the simplex-ETF target -1/(C-1)', () => {
    const o = cosineHeatmapOption(nc.geometry, off) as { title: { subtext: string } };
    expect(o.title.subtext).toContain('-0.5');
  });
  it('matches its snapshot', async () => {
    await expect(json(cosineHeatmapOption(nc.geometry, off))).toMatchFileSnapshot(
      './__snapshots__/cosine-heatmap.json',
    );
  });
});

describe('PCA geometry', () => {
  it('draws each point set on PC1-PC2 and PC1-PC3', () => {
    const s = pcaGeometryOption(nc.geometry, off).series as ScatterSeriesOption[];
    const scatter = s.filter((x) => x.type === 'scatter');
    expect(scatter).toHaveLength(6);
    expect(scatter[0].data).toEqual(nc.geometry.pca.means.map((r) => [r[0], r[1]]));
    expect(scatter[5].data).toEqual(nc.geometry.pca.etf.map((r) => [r[0], r[2]]));
    expect(scatter.map((x) => x.xAxisIndex)).toEqual([0, 0, 0, 1, 1, 1]);
  });
  it('matches its snapshot', async () => {
    await expect(json(pcaGeometryOption(nc.geometry, off))).toMatchFileSnapshot(
      './__snapshots__/pca-geometry.json',
    );
  });
});

describe('layer-wise NC1', () => {
  it('has one point per layer with its NC1, and NCC accuracy in percent', () => {
    const [nc1, line] = layerNc1Option(nc.layers, off).series as LineSeriesOption[];
    expect(nc1.data).toEqual([8, 3, 1, 0.1]);
    expect(line.data).toEqual([45, 55, 70, 80]);
  });
  it('matches its snapshot', async () => {
    await expect(json(layerNc1Option(nc.layers, off))).toMatchFileSnapshot('./__snapshots__/layer-nc1.json');
  });
});
