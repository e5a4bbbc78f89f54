// What a feature extraction runs the network over, the same for both engines (extract.ts: tfjs; extract-onnx.ts: ONNX
// Runtime): ID train (the images trained on), the validation split held out of training (id_val), ID test, each OOD
// set's test split and the patch-shuffled proxy, in the order they are written, with what meta.json says of them.
import type { TrainConfig } from '../../../common/contract/train';
import { loadImageSet, type ImageSet } from '../data/load';
import type { DatasetId } from '../data/registry';
import { defaultOodSets } from './default-ood';
import type { ExtractOptions } from './extract-options';
import { patchShuffled } from './proxy';
import { loadTrainSplit } from './train-split';

export interface ExtractionSet {
  /** the file prefix: id_train, id_val, id_test, ood_<set>, proxy */
  prefix: string;
  set: ImageSet;
  /** an ID set: its labels are written */
  isId: boolean;
  /** per-stage pooled features wanted (the layer-wise Neural Collapse study) */
  withStages: boolean;
}

export interface ExtractionPlan {
  sets: ExtractionSet[];
  /** images in all sets */
  total: number;
  /** meta.json's description of the sets */
  meta: { oodSets: DatasetId[]; validation: string | null; proxy: string };
}

export async function loadExtractionSets(
  home: string,
  config: TrainConfig,
  o: Pick<ExtractOptions, 'oodSets' | 'proxyCount' | 'layers'>,
): Promise<ExtractionPlan> {
  const layers = o.layers ?? true;
  const synthetic = config.synthetic && { seed: config.seed, ...config.synthetic };
  const oodSets = (o.oodSets ?? (await defaultOodSets(home, config.dataset))) as DatasetId[];
  const { train, val } = await loadTrainSplit(home, config, synthetic);
  const test = await loadImageSet(home, config.dataset, 'test', synthetic);
  const proxy = patchShuffled(test, o.proxyCount ?? 2000, config.seed);
  const sets: ExtractionSet[] = [
    { prefix: 'id_train', set: train, isId: true, withStages: layers },
    ...(val ? [{ prefix: 'id_val', set: val, isId: true, withStages: false }] : []),
    { prefix: 'id_test', set: test, isId: true, withStages: layers },
  ];
  // outliers are normalised as the model's inputs always are: with the ID training statistics
  for (const id of oodSets) {
    const set = { ...(await loadImageSet(home, id, 'test', synthetic)), norm: train.norm };
    sets.push({ prefix: `ood_${id}`, set, isId: false, withStages: false });
  }
  sets.push({ prefix: 'proxy', set: proxy, isId: false, withStages: false });
  return {
    sets,
    total: sets.reduce((s, e) => s + e.set.n, 0),
    meta: {
      oodSets,
      validation: val
        ? `${val.n} training images held out of training (valFraction ${config.valFraction})`
        : null,
      proxy: `${proxy.n} ID test images with 8x8 patches shuffled (seed ${config.seed})`,
    },
  };
}
