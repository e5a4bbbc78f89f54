// Figure "class-mean cosines": the C x C cosine matrices of the centred class means and of the classifier rows.
// At collapse every off-diagonal entry is -1/(C-1) (a simplex ETF); the subtitle gives that target and each
// matrix's Frobenius distance to it.
import type { EChartsOption, HeatmapSeriesOption } from 'echarts';
import type { NcGeometry } from '../contract/nc';
import { baseOption, palette, panelGrids, sig, xAxis, yAxis, type ChartOptions } from './theme';

/** Heat-map cells [column, row, value] of a square matrix; row 0 is drawn at the top. */
export function matrixCells(m: number[][]): [number, number, number][] {
  const cells: [number, number, number][] = [];
  m.forEach((row, i) => row.forEach((v, j) => cells.push([j, i, sig(v, 4)])));
  return cells;
}

export function cosineHeatmapOption(g: NcGeometry, o: ChartOptions = {}): EChartsOption {
  const p = palette(o.theme);
  const C = g.classes;
  // classIds: the original class numbers when classes without training samples were left out of the analysis
  const labels = Array.from({ length: C }, (_, i) => String(g.classIds?.[i] ?? i));
  const grids = panelGrids(2, 2, 18, 16);
  const panels: [string, number[][], number][] = [
    ['centred class means', g.cosMeans, g.etfDistanceMeans],
    ['classifier rows', g.cosClassifier, g.etfDistanceClassifier],
  ];
  const axis = (i: number, name: string) => ({
    type: 'category',
    gridIndex: i,
    data: labels,
    name,
    splitArea: { show: false },
    axisLabel: { show: C <= 20, color: p.text },
    axisTick: { show: C <= 20 },
  });
  return {
    ...baseOption(
      o,
      'Cosine similarity of class means and classifier rows',
      `simplex ETF target off the diagonal: ${sig(-1 / (C - 1), 4)}; ` +
        `distance to it: means ${sig(g.etfDistanceMeans, 4)}, classifier ${sig(g.etfDistanceClassifier, 4)}`,
    ),
    tooltip: { position: 'top' },
    grid: grids,
    xAxis: panels.map(([name], i) => xAxis(o, axis(i, name))),
    yAxis: panels.map((_, i) => yAxis(o, { ...axis(i, 'class'), inverse: true, nameGap: C <= 20 ? 30 : 12 })),
    visualMap: {
      type: 'continuous',
      min: -1,
      max: 1,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 4,
      itemHeight: 240,
      itemWidth: 12,
      text: ['+1', '-1'],
      textStyle: { color: p.text },
      inRange: { color: p.diverging },
    },
    series: panels.map(([name, m], i): HeatmapSeriesOption => ({
      type: 'heatmap',
      name,
      xAxisIndex: i,
      yAxisIndex: i,
      data: matrixCells(m),
      progressive: 0,
    })),
  };
}
