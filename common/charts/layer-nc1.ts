// Figure "layer-wise NC1": within-class variability collapses progressively with depth (the seed study's layer
// figure). NC1 per stage on a log axis, with the nearest-class-centre test accuracy of that layer's features beside it.
import type { EChartsOption } from 'echarts';
import type { NcLayer } from '../contract/nc';
import { baseOption, legend, sig, xAxis, yAxis, type ChartOptions } from './theme';

export function layerNc1Option(layers: NcLayer[], o: ChartOptions = {}): EChartsOption {
  const names = layers.map((l) => `${l.name} (${l.dim}-d)`);
  return {
    ...baseOption(o, 'Layer-wise NC1', 'pooled stage outputs and penultimate features, training set'),
    legend: legend(o, { data: ['NC1', 'NCC test accuracy'] }),
    tooltip: { trigger: 'axis' },
    grid: { left: 80, right: 80, top: 90, bottom: 50 },
    xAxis: xAxis(o, { type: 'category', data: names, name: 'layer' }),
    yAxis: [
      yAxis(o, { type: 'log', name: 'NC1 (log scale)', nameGap: 56 }),
      yAxis(o, {
        type: 'value',
        name: 'NCC test accuracy (%)',
        min: 0,
        max: 100,
        splitLine: { show: false },
      }),
    ],
    series: [
      {
        // a line, not bars: bars on a log axis grow from 1 and would point down for NC1 < 1
        type: 'line',
        name: 'NC1',
        symbol: 'rect',
        symbolSize: 10,
        lineStyle: { width: 2.5 },
        label: { show: true, position: 'top' },
        data: layers.map((l) => (l.nc1 > 0 && Number.isFinite(l.nc1) ? sig(l.nc1, 3) : null)),
      },
      {
        type: 'line',
        name: 'NCC test accuracy',
        yAxisIndex: 1,
        symbolSize: 7,
        data: layers.map((l) => sig(l.nccTestAccuracy * 100)),
      },
    ],
  };
}
