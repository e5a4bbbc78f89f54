// Figure "ROC": for one OOD set, every detector's ROC curve (ID = positive, higher score = ID), AUROC in the
// legend, and the classic FPR@95TPR marked where each curve crosses TPR = 95% (the dotted line).
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { OodMethodResult } from '../contract/ood';
import { baseOption, legend, palette, percent, sig, xAxis, yAxis, type ChartOptions } from './theme';

export function rocLegendName(m: OodMethodResult, dataset: string): string {
  const r = m.datasets[dataset];
  return `${m.label}  AUROC ${percent(r.metrics.auroc)}  FPR@95 ${percent(r.metrics.fpr95)}`;
}

export function rocOption(methods: OodMethodResult[], dataset: string, o: ChartOptions = {}): EChartsOption {
  const p = palette(o.theme);
  const shown = methods.filter((m) => m.datasets[dataset]);
  const series: LineSeriesOption[] = shown.map((m, i) => {
    const r = m.datasets[dataset];
    const color = p.series[i % p.series.length];
    return {
      type: 'line',
      name: rocLegendName(m, dataset),
      showSymbol: false,
      lineStyle: { width: 2, color },
      itemStyle: { color },
      data: r.roc.fpr.map((f, k) => [sig(f * 100, 5), sig(r.roc.tpr[k] * 100, 5)]),
      markPoint: {
        symbol: 'circle',
        symbolSize: 9,
        label: { show: false },
        itemStyle: { color, borderColor: p.background, borderWidth: 1.5 },
        data: [{ name: 'FPR@95', coord: [sig(r.metrics.fpr95 * 100, 5), 95] }],
      },
    };
  });
  series.push({
    type: 'line',
    name: 'chance',
    silent: true,
    showSymbol: false,
    lineStyle: { color: p.subtle, type: 'dashed', width: 1 },
    itemStyle: { color: p.subtle },
    data: [
      [0, 0],
      [100, 100],
    ],
    markLine: {
      symbol: 'none',
      silent: true,
      lineStyle: { color: p.subtle, type: 'dotted' },
      label: { formatter: 'TPR 95%', position: 'insideEndBottom', color: p.subtle },
      data: [{ yAxis: 95 }],
    },
  });
  return {
    ...baseOption(
      o,
      `ROC: ID test vs ${dataset}`,
      'ID is the positive class; dots: FPR at 95% TPR (classic convention)',
    ),
    // Up to eight curves the legend sits inside the plot (lower right, where ROC curves are empty); more (twenty
    // detectors) get a scrolling column beside the plot so that it never covers a curve.
    legend:
      shown.length <= 8
        ? legend(o, {
            orient: 'vertical',
            top: undefined,
            right: 20,
            bottom: 60,
            backgroundColor: p.background,
            borderColor: p.grid,
            borderWidth: 1,
            padding: 8,
          })
        : legend(o, { type: 'scroll', orient: 'vertical', top: 60, right: 10, bottom: 20, itemGap: 6 }),
    tooltip: { trigger: 'item' },
    grid: { left: 70, right: shown.length <= 8 ? 30 : 330, top: 70, bottom: 50 },
    xAxis: xAxis(o, { type: 'value', name: 'false positive rate: OOD accepted (%)', min: 0, max: 100 }),
    yAxis: yAxis(o, { type: 'value', name: 'true positive rate: ID accepted (%)', min: 0, max: 100 }),
    series,
  };
}
