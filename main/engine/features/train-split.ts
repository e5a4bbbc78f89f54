// The ID training images as feature extraction sees them: the images trained on, and the validation split held out
// of training (train/order.ts), extracted on its own as id_val. Both extraction engines (tfjs, ONNX Runtime) use it.
import type { TrainConfig } from '../../../common/contract/train';
import { loadImageSet, type ImageSet, type SyntheticOptions } from '../data/load';
import { subsetImages } from '../data/subset';
import { trainValSplit } from '../train/order';

export async function loadTrainSplit(
  home: string,
  config: TrainConfig,
  synthetic: SyntheticOptions | undefined,
): Promise<{ full: ImageSet; train: ImageSet; val: ImageSet | null }> {
  const full = await loadImageSet(home, config.dataset, 'train', synthetic);
  const split = trainValSplit(config, full.n);
  if (!split.val.length) return { full, train: full, val: null };
  return { full, train: subsetImages(full, split.train), val: subsetImages(full, split.val) };
}
