// Figure "PCA geometry": centred class means, classifier rows (rescaled to the means' norm) and the nearest simplex
// ETF on the first principal axes of the class means, PC1–PC2 and PC1–PC3. Under collapse the three point sets
// coincide (NC2 + NC3); spokes from the origin make the angles readable.
import type { EChartsOption, ScatterSeriesOption, LinesSeriesOption } from 'echarts';
import type { NcGeometry } from '../contract/nc';
import {
  baseOption,
  legend,
  palette,
  panelGrids,
  percent,
  sig,
  xAxis,
  yAxis,
  type ChartOptions,
} from './theme';

const sets = [
  ['class means', 'means', 'circle'],
  ['classifier rows', 'classifier', 'triangle'],
  ['simplex ETF', 'etf', 'diamond'],
] as const;

export function pcaGeometryOption(g: NcGeometry, o: ChartOptions = {}): EChartsOption {
  const p = palette(o.theme);
  const ex = g.pca.explained;
  const axesPairs: [number, number][] = [
    [0, 1],
    [0, 2],
  ].filter(([, b]) => b < ex.length) as [number, number][];
  const grids = panelGrids(axesPairs.length, 2, 20, 12);
  const pcName = (k: number) => `PC${k + 1} (${percent(ex[k] ?? 0)})`;
  // One symmetric range for both axes of a panel, so angles between spokes read true.
  const reach = ([a, b]: [number, number]) => {
    const all = sets.flatMap(([, key]) =>
      g.pca[key].flatMap((r) => [Math.abs(r[a] ?? 0), Math.abs(r[b] ?? 0)]),
    );
    return sig(Math.max(1e-12, ...all) * 1.15, 2);
  };
  const ranges = axesPairs.map(reach);
  const edgeless = { axisLabel: { showMinLabel: false, showMaxLabel: false, color: p.text } };
  const series: (ScatterSeriesOption | LinesSeriesOption)[] = [];
  axesPairs.forEach(([a, b], panel) => {
    sets.forEach(([name, key, symbol], s) => {
      const pts = g.pca[key].map((r) => [sig(r[a] ?? 0, 4), sig(r[b] ?? 0, 4)]);
      series.push({
        type: 'scatter',
        name,
        xAxisIndex: panel,
        yAxisIndex: panel,
        symbol,
        symbolSize: key === 'etf' ? 9 : 8,
        itemStyle: { color: p.series[s], opacity: key === 'etf' ? 0.6 : 0.95 },
        data: pts,
      });
      if (key === 'means')
        series.push({
          type: 'lines',
          name,
          coordinateSystem: 'cartesian2d',
          xAxisIndex: panel,
          yAxisIndex: panel,
          silent: true,
          lineStyle: { color: p.series[s], opacity: 0.35, width: 1 },
          data: pts.map((q) => ({ coords: [[0, 0], q] })),
        });
    });
  });
  return {
    ...baseOption(
      o,
      'Class means, classifier and simplex ETF (PCA of the class means)',
      `${g.classes} classes; first ${ex.length} axes explain ${percent(ex.reduce((s, v) => s + v, 0))} of the class-mean variance`,
    ),
    legend: legend(o, { data: sets.map(([name]) => name) }),
    tooltip: { trigger: 'item' },
    grid: grids,
    xAxis: axesPairs.map(([a], i) =>
      xAxis(o, {
        type: 'value',
        gridIndex: i,
        name: pcName(a),
        min: -ranges[i],
        max: ranges[i],
        ...edgeless,
      }),
    ),
    yAxis: axesPairs.map(([, b], i) =>
      yAxis(o, {
        type: 'value',
        gridIndex: i,
        name: pcName(b),
        min: -ranges[i],
        max: ranges[i],
        ...edgeless,
      }),
    ),
    series,
  };
}
