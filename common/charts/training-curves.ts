// Figure "training curves": loss, accuracy and learning rate per epoch, side by side on a shared epoch axis, the
// first thing a reader checks (did it converge, did it overfit, did the schedule do what was asked).
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { TrainingHistory } from '../contract/train';
import { baseOption, legend, panelGrids, sig, xAxis, yAxis, type ChartOptions } from './theme';

function line(name: string, data: [number, number][], panel: number, dashed = false): LineSeriesOption {
  return {
    type: 'line',
    name,
    data,
    xAxisIndex: panel,
    yAxisIndex: panel,
    showSymbol: data.length <= 30,
    symbolSize: 5,
    lineStyle: { width: 2, type: dashed ? 'dashed' : 'solid' },
  };
}

export function trainingCurvesOption(history: TrainingHistory, o: ChartOptions = {}): EChartsOption {
  const e = history.epochs;
  const c = history.config;
  const pts = (f: (x: (typeof e)[number]) => number) =>
    e.map((x) => [x.epoch, sig(f(x))] as [number, number]);
  const titles = ['Loss (nats)', 'Accuracy (%)', 'Learning rate'];
  const grids = panelGrids(3, 3, 20, 12);
  return {
    ...baseOption(
      o,
      'Training curves',
      `${c.dataset}, ResNet-18 width ${c.width}, batch ${c.batchSize}, ${c.schedule} schedule, ${e.length}/${c.epochs} epochs`,
    ),
    legend: legend(o, { data: ['train loss', 'test loss', 'train acc', 'test acc', 'lr'] }),
    tooltip: { trigger: 'axis' },
    grid: grids,
    xAxis: grids.map((_, i) =>
      xAxis(o, { type: 'value', gridIndex: i, name: 'epoch', minInterval: 1, min: 1 }),
    ),
    yAxis: titles.map((name, i) =>
      yAxis(o, {
        type: 'value',
        gridIndex: i,
        name,
        scale: i !== 1,
        ...(i === 1 ? { min: 0, max: 100 } : {}),
      }),
    ),
    series: [
      line(
        'train loss',
        pts((x) => x.trainLoss),
        0,
      ),
      line(
        'test loss',
        pts((x) => x.testLoss),
        0,
        true,
      ),
      line(
        'train acc',
        pts((x) => x.trainAcc * 100),
        1,
      ),
      line(
        'test acc',
        pts((x) => x.testAcc * 100),
        1,
        true,
      ),
      line(
        'lr',
        pts((x) => x.lr),
        2,
      ),
    ],
  };
}
