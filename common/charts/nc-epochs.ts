// Figure "NC across epochs": NC1–NC4 of every kept checkpoint on a log scale, the collapse curves of Papyan, Han &
// Donoho (2020, fig. 6–9). A log axis cannot show zero (NC4 reaches it once NCC and the network agree on every
// training image), so non-positive values are left as gaps rather than bent to a floor.
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { NcEpoch, NcMetrics } from '../contract/nc';
import { baseOption, legend, sig, xAxis, yAxis, type ChartOptions } from './theme';

/** Series name -> how to read it from one checkpoint's metrics. */
export const ncEpochSeries: [string, (m: NcMetrics) => number][] = [
  ['NC1  Tr(Sw Sb⁺)/C', (m) => m.nc1],
  ['NC2  equinorm (means)', (m) => m.nc2.equinormMeans],
  ['NC2  equiangular (means)', (m) => m.nc2.equiangularMeans],
  ['NC3  self-duality', (m) => m.nc3],
  ['NC4  NCC mismatch (train)', (m) => m.nc4],
];

export function ncEpochsOption(perEpoch: NcEpoch[], o: ChartOptions = {}): EChartsOption {
  const epochs = [...perEpoch].sort((a, b) => a.epoch - b.epoch);
  const series: LineSeriesOption[] = ncEpochSeries.map(([name, read]) => ({
    type: 'line',
    name,
    data: epochs.map((e) => {
      const v = read(e.metrics);
      return [e.epoch, v > 0 && Number.isFinite(v) ? sig(v) : null];
    }),
    connectNulls: false,
    symbolSize: 6,
    lineStyle: { width: 2 },
  }));
  const classes = epochs.length ? epochs[0].metrics.classes : 0;
  return {
    ...baseOption(o, 'Neural Collapse across training', `${classes} classes, ${epochs.length} checkpoints`),
    legend: legend(o),
    tooltip: { trigger: 'axis' },
    grid: { left: 80, right: 30, top: 100, bottom: 50 },
    xAxis: xAxis(o, { type: 'value', name: 'epoch', minInterval: 1, scale: true }),
    yAxis: yAxis(o, { type: 'log', name: 'metric (log scale)', nameGap: 56 }),
    series,
  };
}
