// Figure "OOD detection across training": AUROC of each detector at every kept checkpoint, on the same epoch axis as
// "Neural Collapse across epochs" (a value axis named 'epoch', one tick per epoch), so the two read side by side.
// Each point is the mean AUROC over the scored OOD sets, or one set's AUROC when a set is given.
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { OodEpochs } from '../contract/ood';
import { baseOption, legend, sig, xAxis, yAxis, type ChartOptions } from './theme';

/** [epoch, AUROC in %] per method; null where the method has no score for that set at that checkpoint. */
export function oodEpochPoints(r: OodEpochs, method: string, set?: string): [number, number | null][] {
  return [...r.points]
    .sort((a, b) => a.epoch - b.epoch)
    .map((p) => {
      const a = p.methods[method]?.auroc ?? {};
      const vals = set ? [a[set]] : r.oodSets.map((s) => a[s]);
      const ok = vals.filter((v): v is number => v !== undefined);
      return [
        p.epoch,
        ok.length === vals.length && ok.length
          ? sig((100 * ok.reduce((x, y) => x + y, 0)) / ok.length, 4)
          : null,
      ];
    });
}

export function oodEpochsOption(r: OodEpochs, o: ChartOptions & { set?: string } = {}): EChartsOption {
  const series: LineSeriesOption[] = r.methods.map((m) => ({
    type: 'line',
    name: m.label,
    data: oodEpochPoints(r, m.method, o.set),
    connectNulls: false,
    symbolSize: 6,
    lineStyle: { width: 2 },
  }));
  const what = o.set ? `on ${o.set}` : `mean over ${r.oodSets.join(', ')}`;
  return {
    ...baseOption(o, 'OOD detection across training', `AUROC ${what}, ${r.points.length} checkpoints`),
    legend: legend(o),
    tooltip: { trigger: 'axis' },
    grid: { left: 80, right: 30, top: 100, bottom: 50 },
    xAxis: xAxis(o, { type: 'value', name: 'epoch', minInterval: 1, scale: true }),
    yAxis: yAxis(o, { type: 'value', name: 'AUROC (%)', nameGap: 56, scale: true }),
    series,
  };
}
