// Figure "OOD score histograms": for one OOD set, each detector's score distribution on ID test vs that set, one
// panel per method (scores live on different scales). Bars are each set's share of its samples per bin, so sets of
// different sizes compare; the raw count rides along in each point for tooltips and checks. Bins are drawn
// exactly between their edges (step outline), not as points at bin centres.
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { OodMethodResult } from '../contract/ood';
import { baseOption, legend, palette, panelGrids, sig, xAxis, yAxis, type ChartOptions } from './theme';

/**
 * One histogram as step points [left edge, share of the set in %, count], one per bin, framed by zero points at
 * the first and last edge so the outline closes. The counts sum to the set's size; the shares to 100.
 */
export function histogramPoints(edges: number[], counts: number[]): [number, number, number][] {
  const total = counts.reduce((s, c) => s + c, 0);
  const bins = counts.map((c, i): [number, number, number] => [
    sig(edges[i]),
    total ? sig((100 * c) / total) : 0,
    c,
  ]);
  return [[sig(edges[0]), 0, 0], ...bins, [sig(edges[counts.length]), 0, 0]];
}

function stepArea(
  name: string,
  data: [number, number, number][],
  panel: number,
  color: string,
): LineSeriesOption {
  return {
    type: 'line',
    name,
    step: 'end',
    showSymbol: false,
    xAxisIndex: panel,
    yAxisIndex: panel,
    itemStyle: { color },
    lineStyle: { width: 1.5, color },
    areaStyle: { opacity: 0.3, color },
    encode: { x: 0, y: 1 },
    data,
  };
}

export function oodHistogramsOption(
  methods: OodMethodResult[],
  dataset: string,
  o: ChartOptions = {},
): EChartsOption {
  const shown = methods.filter((m) => m.histogram.ood[dataset]);
  const cols = shown.length > 4 ? 3 : Math.min(2, shown.length);
  const grids = panelGrids(shown.length, Math.max(1, cols), 18, 8);
  const [idColor, , , oodColor] = palette(o.theme).series;
  const series: LineSeriesOption[] = [];
  shown.forEach((m, i) => {
    series.push(stepArea('ID test', histogramPoints(m.histogram.edges, m.histogram.id), i, idColor));
    series.push(stepArea(dataset, histogramPoints(m.histogram.edges, m.histogram.ood[dataset]), i, oodColor));
  });
  return {
    ...baseOption(
      o,
      `OOD scores: ID test vs ${dataset}`,
      'share of each set per score bin; higher score = more in-distribution',
    ),
    legend: legend(o, { data: ['ID test', dataset] }),
    tooltip: { trigger: 'axis' },
    grid: grids,
    xAxis: shown.map((m, i) => {
      const e = m.histogram.edges;
      const auroc = m.datasets[dataset]?.metrics.auroc;
      const name = auroc === undefined ? m.label : `${m.label} score (AUROC ${(auroc * 100).toFixed(1)}%)`;
      return xAxis(o, {
        type: 'value',
        gridIndex: i,
        name,
        min: sig(e[0]),
        max: sig(e[e.length - 1]),
        axisLabel: { hideOverlap: true, showMinLabel: false, showMaxLabel: false },
      });
    }),
    yAxis: shown.map((_, i) =>
      yAxis(o, {
        type: 'value',
        gridIndex: i,
        name: i % Math.max(1, cols) === 0 ? '% of set' : '',
        nameGap: 36,
      }),
    ),
    series,
  };
}
