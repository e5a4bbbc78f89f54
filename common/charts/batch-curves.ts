// Figure "batch loss": the training loss of every reported batch while a run trains, with an exponential moving
// average that shows the trend through batch noise, and the learning rate on its own axis so a warm-up or a step in
// the schedule lines up with what it does to the loss. Drawn live in the Train page; x is the fractional epoch.
import type { EChartsOption } from 'echarts';
import { baseOption, palette, sig, xAxis, yAxis, type ChartOptions } from './theme';

export interface BatchPoint {
  /** Fractional epoch: epoch - 1 + batch / batches. */
  x: number;
  loss: number;
  lr: number;
}

/** EMA with a bias correction (as Adam's), so the first points are not pulled towards zero. */
export function emaLoss(points: BatchPoint[], beta = 0.9): number[] {
  let m = 0;
  return points.map((p, i) => {
    m = beta * m + (1 - beta) * p.loss;
    return m / (1 - beta ** (i + 1));
  });
}

export function batchCurvesOption(
  points: BatchPoint[],
  o: ChartOptions & { title?: string } = {},
): EChartsOption {
  const p = palette(o.theme);
  const ema = emaLoss(points);
  return {
    ...baseOption(o, o.title ?? 'Training loss per batch'),
    legend: {
      top: 34,
      data: ['batch loss', 'moving average', 'learning rate'],
      textStyle: { color: p.text },
    },
    tooltip: { trigger: 'axis' },
    grid: { left: 62, right: 66, top: 70, bottom: 44 },
    xAxis: xAxis(o, { type: 'value', name: 'epoch', min: 0, splitLine: { show: false } }),
    yAxis: [
      yAxis(o, { type: 'value', name: 'loss (nats)', scale: true }),
      yAxis(o, { type: 'value', name: 'learning rate', nameGap: 50, splitLine: { show: false } }),
    ],
    series: [
      {
        type: 'line',
        name: 'batch loss',
        showSymbol: false,
        lineStyle: { width: 1, opacity: 0.35, color: p.series[0] },
        itemStyle: { color: p.series[0] },
        data: points.map((q) => [sig(q.x, 5), sig(q.loss)]),
      },
      {
        type: 'line',
        name: 'moving average',
        showSymbol: false,
        lineStyle: { width: 2.5, color: p.series[0] },
        itemStyle: { color: p.series[0] },
        data: points.map((q, i) => [sig(q.x, 5), sig(ema[i])]),
      },
      {
        type: 'line',
        name: 'learning rate',
        yAxisIndex: 1,
        showSymbol: false,
        lineStyle: { width: 1.5, type: 'dashed', color: p.series[1] },
        itemStyle: { color: p.series[1] },
        data: points.map((q) => [sig(q.x, 5), sig(q.lr)]),
      },
    ],
  };
}
