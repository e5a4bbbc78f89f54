// Figure "AUROC table": methods (rows) x OOD sets (columns) as a heat map with the value written in each cell, the
// compact overview the seed study opens its OOD section with, then OpenOOD's near- and far-OOD means where the ID
// set has them. Colour runs from chance (50%) to perfect (100%).
import type { EChartsOption } from 'echarts';
import type { OodResults } from '../contract/ood';
import { groupMeans } from '../ood/groups';
import { baseOption, palette, sig, xAxis, yAxis, type ChartOptions } from './theme';

/** OOD set names in the order the results list them, then any a method adds. */
export function oodDatasets(r: Pick<OodResults, 'oodSets' | 'methods'>): string[] {
  const names = Object.keys(r.oodSets);
  for (const m of r.methods) for (const d of Object.keys(m.datasets)) if (!names.includes(d)) names.push(d);
  return names;
}

/** The columns: each OOD set, then OpenOOD's near and far means where the ID set has groups. */
export function heatmapColumns(r: Pick<OodResults, 'oodSets' | 'methods' | 'groups'>): string[] {
  const means = groupMeans(r);
  const groups = (['near', 'far'] as const).filter((g) =>
    Object.values(means).some((l) => l.some((x) => x.group === g)),
  );
  return [...oodDatasets(r), ...groups.map((g) => `${g} mean`)];
}

/** Cells [column index, method index, AUROC in %]; a missing pair has no cell. */
export function aurocCells(
  r: Pick<OodResults, 'oodSets' | 'methods' | 'groups'>,
): [number, number, number][] {
  const sets = heatmapColumns(r);
  const means = groupMeans(r);
  const cells: [number, number, number][] = [];
  r.methods.forEach((m, i) =>
    sets.forEach((d, j) => {
      const g = means[m.method].find((x) => `${x.group} mean` === d);
      const v = g ? g.metrics.auroc : m.datasets[d]?.metrics.auroc;
      if (v !== undefined) cells.push([j, i, sig(v * 100, 4)]);
    }),
  );
  return cells;
}

export function aurocHeatmapOption(r: OodResults, o: ChartOptions = {}): EChartsOption {
  const p = palette(o.theme);
  const sets = heatmapColumns(r);
  return {
    ...baseOption(
      o,
      'AUROC (%) by method and OOD set',
      `checkpoint ${r.checkpoint ?? 'imported features'}, ${r.idTest} ID test samples; 50% = chance`,
    ),
    tooltip: { position: 'top' },
    grid: { left: 130, right: 90, top: 80, bottom: 50 },
    xAxis: xAxis(o, { type: 'category', data: sets, name: 'OOD set', splitArea: { show: false } }),
    yAxis: yAxis(o, {
      type: 'category',
      data: r.methods.map((m) => m.label),
      inverse: true,
      splitArea: { show: false },
      name: '',
    }),
    visualMap: {
      type: 'continuous',
      min: 50,
      max: 100,
      calculable: false,
      orient: 'vertical',
      right: 10,
      top: 'middle',
      text: ['100', '50'],
      textStyle: { color: p.text },
      inRange: { color: p.sequential },
    },
    series: [
      {
        type: 'heatmap',
        name: 'AUROC',
        data: aurocCells(r),
        label: { show: true, formatter: '{@[2]}', fontSize: 13 },
        itemStyle: { borderColor: p.background, borderWidth: 2 },
      },
    ],
  };
}
