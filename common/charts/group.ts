// Figures of a group of seeded runs, from its summary.json: the training curves as mean ± one standard deviation
// over seeds (a band), and every detector's AUROC per OOD set as a bar of the mean with an error bar of ± one std,
// the way OpenOOD reports three-seed results. Environment-free like every figure: the Runs page draws them, export
// renders them headless.
import type { CustomSeriesOption, EChartsOption, LineSeriesOption } from 'echarts';
import type { GroupSummary, Stat } from '../contract/cluster';
import { baseOption, legend, palette, panelGrids, sig, xAxis, yAxis, type ChartOptions } from './theme';

/** mean, mean - std, mean + std (std 0 for one seed). */
const band = (s: Stat, k = 1) =>
  [s.mean * k, (s.mean - (s.std ?? 0)) * k, (s.mean + (s.std ?? 0)) * k].map((v) => sig(v));

function bandSeries(name: string, epochs: number[], stats: Stat[], panel: number, color: string, k: number) {
  const pts = stats.map((s, i) => [epochs[i], ...band(s, k)]);
  const stack = `${name}-band`;
  const lower: LineSeriesOption = {
    type: 'line',
    name: `${name} band`,
    data: pts.map((p) => [p[0], p[2]]),
    xAxisIndex: panel,
    yAxisIndex: panel,
    stack,
    lineStyle: { opacity: 0 },
    showSymbol: false,
    silent: true,
    tooltip: { show: false },
  };
  const width: LineSeriesOption = {
    ...lower,
    data: pts.map((p) => [p[0], sig(p[3] - p[2])]),
    areaStyle: { color, opacity: 0.2 },
  };
  const mean: LineSeriesOption = {
    type: 'line',
    name,
    data: pts.map((p) => [p[0], p[1]]),
    xAxisIndex: panel,
    yAxisIndex: panel,
    showSymbol: pts.length <= 30,
    symbolSize: 5,
    lineStyle: { width: 2, color },
    itemStyle: { color },
  };
  return [lower, width, mean];
}

export function groupCurvesOption(s: GroupSummary, o: ChartOptions = {}): EChartsOption {
  const p = palette(o.theme);
  const grids = panelGrids(2, 2, 22, 12);
  const { epochs } = s.curves;
  return {
    ...baseOption(
      o,
      'Training curves over seeds',
      `group ${s.groupId}: mean ± 1 std over seeds ${s.seeds.join(', ')}`,
    ),
    legend: legend(o, { data: ['test accuracy', 'train loss'] }),
    tooltip: { trigger: 'axis' },
    grid: grids,
    xAxis: grids.map((_, i) =>
      xAxis(o, { type: 'value', gridIndex: i, name: 'epoch', minInterval: 1, min: 1 }),
    ),
    yAxis: [
      yAxis(o, { type: 'value', gridIndex: 0, name: 'Test accuracy (%)', min: 0, max: 100 }),
      yAxis(o, { type: 'value', gridIndex: 1, name: 'Train loss (nats)', scale: true }),
    ],
    series: [
      ...bandSeries('test accuracy', epochs, s.curves.testAcc, 0, p.series[0], 100),
      ...bandSeries('train loss', epochs, s.curves.trainLoss, 1, p.series[1], 1),
    ],
  };
}

/** One bar per (method, OOD set) with the mean AUROC, coloured by set, and a ± std error bar. */
export function groupOodOption(s: GroupSummary, o: ChartOptions = {}): EChartsOption {
  const p = palette(o.theme);
  const sets = [...new Set(s.ood.map((r) => r.dataset))];
  const rows = s.ood.filter((r) => r.metrics.auroc);
  const colour = (d: string) => p.series[sets.indexOf(d) % p.series.length];
  const errorBars: CustomSeriesOption = {
    type: 'custom',
    name: '± 1 std',
    data: rows.map((r, i) => {
      const [, lo, hi] = band(r.metrics.auroc, 100);
      return [i, lo, hi];
    }),
    encode: { x: 0, y: [1, 2] },
    z: 3,
    silent: true,
    renderItem: (_params, api) => {
      const x = api.value(0) as number;
      const lo = api.coord([x, api.value(1) as number]);
      const hi = api.coord([x, api.value(2) as number]);
      const half = (api.size?.([1, 0]) as number[])[0] * 0.15;
      const style = { stroke: p.text, lineWidth: 1.5 };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style },
          { type: 'line', shape: { x1: lo[0] - half, y1: lo[1], x2: lo[0] + half, y2: lo[1] }, style },
          { type: 'line', shape: { x1: hi[0] - half, y1: hi[1], x2: hi[0] + half, y2: hi[1] }, style },
        ],
      };
    },
  };
  return {
    ...baseOption(
      o,
      'AUROC over seeds',
      `group ${s.groupId}: mean ± 1 std over seeds ${s.seeds.join(', ')}; colour = OOD set (${sets.join(', ')})`,
    ),
    tooltip: { trigger: 'item' },
    grid: { left: 70, right: 20, top: 80, bottom: 90 },
    xAxis: xAxis(o, {
      type: 'category',
      data: rows.map((r) => `${r.label}\n${r.dataset}`),
      axisLabel: { interval: 0, fontSize: 10 },
    }),
    yAxis: yAxis(o, { type: 'value', name: 'AUROC (%)', min: 0, max: 100 }),
    series: [
      {
        type: 'bar',
        name: 'mean AUROC',
        barMaxWidth: 36,
        data: rows.map((r) => ({
          value: sig(r.metrics.auroc.mean * 100),
          itemStyle: { color: colour(r.dataset) },
        })),
      },
      errorBars,
    ],
  };
}

/** The group's figures, as the export and the Runs page list them; those without data are left out. */
export function groupFigures(s: GroupSummary, o: ChartOptions = {}) {
  const out: { id: string; title: string; width: number; height: number; option: EChartsOption }[] = [];
  if (s.curves.epochs.length)
    out.push({
      id: 'group-training-curves',
      title: 'Training curves over seeds',
      width: 1200,
      height: 460,
      option: groupCurvesOption(s, o),
    });
  if (s.ood.length)
    out.push({
      id: 'group-auroc',
      title: 'AUROC over seeds',
      width: 1200,
      height: 520,
      option: groupOodOption(s, o),
    });
  return out;
}
