// Figure "loss/accuracy": test loss against test accuracy on two axes of one panel, with the best epoch (highest
// test accuracy, the checkpoint kept as `best`) marked: where the two disagree, the model grew over-confident.
import type { EChartsOption } from 'echarts';
import type { TrainingHistory } from '../contract/train';
import { baseOption, legend, palette, percent, sig, xAxis, yAxis, type ChartOptions } from './theme';

/** The first epoch with the highest test accuracy, as the trainer picks `best`. */
export function bestEpoch(history: TrainingHistory): { epoch: number; testAcc: number } | null {
  let best: { epoch: number; testAcc: number } | null = null;
  for (const e of history.epochs)
    if (!best || e.testAcc > best.testAcc) best = { epoch: e.epoch, testAcc: e.testAcc };
  return best;
}

export function lossAccuracyOption(history: TrainingHistory, o: ChartOptions = {}): EChartsOption {
  const e = history.epochs;
  const best = bestEpoch(history);
  const p = palette(o.theme);
  return {
    ...baseOption(
      o,
      'Test loss and accuracy',
      best
        ? `best test accuracy ${percent(best.testAcc, 2)} at epoch ${best.epoch}`
        : 'no epoch finished yet',
    ),
    legend: legend(o, { data: ['test loss', 'test accuracy'] }),
    tooltip: { trigger: 'axis' },
    grid: { left: 70, right: 70, top: 90, bottom: 50 },
    xAxis: xAxis(o, { type: 'value', name: 'epoch', minInterval: 1, min: 1 }),
    yAxis: [
      yAxis(o, { type: 'value', name: 'test loss (nats)', scale: true }),
      yAxis(o, { type: 'value', name: 'test accuracy (%)', min: 0, max: 100, splitLine: { show: false } }),
    ],
    series: [
      {
        type: 'line',
        name: 'test loss',
        data: e.map((x) => [x.epoch, sig(x.testLoss)]),
        yAxisIndex: 0,
        showSymbol: e.length <= 30,
        lineStyle: { width: 2 },
      },
      {
        type: 'line',
        name: 'test accuracy',
        data: e.map((x) => [x.epoch, sig(x.testAcc * 100)]),
        yAxisIndex: 1,
        showSymbol: e.length <= 30,
        lineStyle: { width: 2 },
        markLine: best
          ? {
              symbol: 'none',
              silent: true,
              lineStyle: { color: p.subtle, type: 'dotted' },
              label: { formatter: `best: epoch ${best.epoch}`, color: p.text },
              data: [{ xAxis: best.epoch }],
            }
          : undefined,
      },
    ],
  };
}
