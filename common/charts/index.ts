// The figure registry: every figure of a run, defined once, from the run's results to ECharts options. The renderer
// draws them live; main/engine/report renders the same list headless for export. A figure whose data are missing
// (no OOD results yet, NC run without checkpoints) is simply not listed, so a partial run still exports what it has.
import type { EChartsOption } from 'echarts';
import type { NcResults } from '../contract/nc';
import type { OodEpochs, OodResults } from '../contract/ood';
import type { TrainingHistory } from '../contract/train';
import { aurocHeatmapOption, oodDatasets } from './auroc-heatmap';
import { cosineHeatmapOption } from './cosine-heatmap';
import { layerNc1Option } from './layer-nc1';
import { lossAccuracyOption } from './loss-accuracy';
import { ncEpochsOption } from './nc-epochs';
import { oodEpochsOption } from './ood-epochs';
import { oodHistogramsOption } from './ood-histograms';
import { pcaGeometryOption } from './pca-geometry';
import { rocOption } from './roc';
import type { ChartOptions } from './theme';
import { trainingCurvesOption } from './training-curves';

export type { ChartOptions, ChartTheme } from './theme';

/** What a run has produced so far; each part may be missing. */
export interface FigureData {
  history?: TrainingHistory | null;
  ood?: OodResults | null;
  nc?: NcResults | null;
  oodEpochs?: OodEpochs | null;
}

export interface Figure {
  /** File-name-safe id, e.g. 'training-curves' or 'roc-svhn'. */
  id: string;
  title: string;
  /** Default export size in CSS pixels. */
  width: number;
  height: number;
  option: EChartsOption;
}

interface FigureDef {
  /** Id, or id prefix for figures made once per OOD set. */
  id: string;
  title: string;
  describe: string;
  width: number;
  height: number;
  /** The figure, or one per OOD set (suffix: the set, also named in the title); none when its data are missing. */
  make(d: FigureData, o: ChartOptions): { suffix?: string; option: EChartsOption }[];
}

const safe = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
const ood = (d: FigureData) => (d.ood && d.ood.methods.length ? d.ood : null);
/** A figure made once per OOD set of the results. */
const perOodSet =
  (option: (r: OodResults, set: string, o: ChartOptions) => EChartsOption): FigureDef['make'] =>
  (d, o) => {
    const r = ood(d);
    return r ? oodDatasets(r).map((s) => ({ suffix: s, option: option(r, s, o) })) : [];
  };

export const figureDefs: FigureDef[] = [
  {
    id: 'training-curves',
    title: 'Training curves',
    describe: 'train/test loss, train/test accuracy and learning rate per epoch',
    width: 1200,
    height: 420,
    make: (d, o) => (d.history?.epochs.length ? [{ option: trainingCurvesOption(d.history, o) }] : []),
  },
  {
    id: 'loss-accuracy',
    title: 'Test loss and accuracy',
    describe: 'test loss and test accuracy per epoch on two axes, best epoch marked',
    width: 900,
    height: 500,
    make: (d, o) => (d.history?.epochs.length ? [{ option: lossAccuracyOption(d.history, o) }] : []),
  },
  {
    id: 'ood-histograms',
    title: 'OOD score histograms',
    describe: 'per OOD set: score distribution of ID test vs that set, one panel per detector',
    width: 1200,
    height: 700,
    make: perOodSet((r, s, o) => oodHistogramsOption(r.methods, s, o)),
  },
  {
    id: 'roc',
    title: 'ROC curves',
    describe: 'per OOD set: ROC curve of every detector, AUROC and FPR@95TPR marked',
    width: 900,
    height: 700,
    make: perOodSet((r, s, o) => rocOption(r.methods, s, o)),
  },
  {
    id: 'auroc-heatmap',
    title: 'AUROC table',
    describe: 'AUROC of every detector on every OOD set as a heat map',
    width: 800,
    height: 480,
    make: (d, o) => {
      const r = ood(d);
      return r ? [{ option: aurocHeatmapOption(r, o) }] : [];
    },
  },
  {
    id: 'nc-epochs',
    title: 'Neural Collapse across epochs',
    describe: 'NC1-NC4 of every kept checkpoint, log scale',
    width: 900,
    height: 560,
    make: (d, o) => (d.nc?.perEpoch.length ? [{ option: ncEpochsOption(d.nc.perEpoch, o) }] : []),
  },
  {
    id: 'ood-epochs',
    title: 'OOD detection across training',
    describe:
      'AUROC of every detector at every kept checkpoint (mean over the OOD sets), on the NC epoch axis',
    width: 900,
    height: 560,
    make: (d, o) => (d.oodEpochs?.points.length ? [{ option: oodEpochsOption(d.oodEpochs, o) }] : []),
  },
  {
    id: 'cosine-heatmap',
    title: 'Class-mean cosines',
    describe: 'cosine matrices of the centred class means and of the classifier rows',
    width: 1100,
    height: 600,
    make: (d, o) => (d.nc ? [{ option: cosineHeatmapOption(d.nc.geometry, o) }] : []),
  },
  {
    id: 'pca-geometry',
    title: 'Class-mean geometry (PCA)',
    describe: 'class means, classifier rows and the nearest simplex ETF on the first principal axes',
    width: 1100,
    height: 620,
    make: (d, o) =>
      d.nc && d.nc.geometry.pca.explained.length >= 2
        ? [{ option: pcaGeometryOption(d.nc.geometry, o) }]
        : [],
  },
  {
    id: 'layer-nc1',
    title: 'Layer-wise NC1',
    describe: 'NC1 per ResNet stage and NCC test accuracy per layer',
    width: 900,
    height: 520,
    make: (d, o) => (d.nc?.layers.length ? [{ option: layerNc1Option(d.nc.layers, o) }] : []),
  },
];

/** Every figure the data allow, in registry order. */
export function buildFigures(d: FigureData, o: ChartOptions = {}): Figure[] {
  return figureDefs.flatMap((def) =>
    def.make(d, o).map((f) => ({
      id: f.suffix ? `${def.id}-${safe(f.suffix)}` : def.id,
      title: f.suffix ? `${def.title} (${f.suffix})` : def.title,
      width: def.width,
      height: def.height,
      option: f.option,
    })),
  );
}

/** One figure by id, or null when it does not exist for these data. */
export function buildFigure(d: FigureData, id: string, o: ChartOptions = {}): Figure | null {
  return buildFigures(d, o).find((f) => f.id === id) ?? null;
}

/** What each figure file is, for README.txt and the UI: id (or id prefix) -> one line. */
export function describeFigure(id: string): string | null {
  const def = figureDefs.find((f) => id === f.id || id.startsWith(`${f.id}-`));
  return def ? def.describe : null;
}
