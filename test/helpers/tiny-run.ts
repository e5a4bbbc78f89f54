// A run on the synthetic data set (3 classes, width 2) with a 'best' checkpoint, for the tests that extract
// features from a real network.
import { TrainConfig } from '../../common/contract/train';
import { saveCheckpoint } from '../../main/engine/model/checkpoint';
import { ResNet18 } from '../../main/engine/model/resnet';
import { createRun, runFiles } from '../../main/engine/runs/store';

/** Creates the run and saves `model` (default: a fresh seed-1 network, disposed here) as its 'best' checkpoint. */
export async function tinyRun(
  home: string,
  name: string,
  o: { trainPerClass?: number; testPerClass?: number; model?: ResNet18 } = {},
): Promise<string> {
  const config = TrainConfig.parse({
    dataset: 'synthetic',
    synthetic: { classes: 3, trainPerClass: o.trainPerClass ?? 6, testPerClass: o.testPerClass ?? 3 },
    width: 2,
    epochs: 1,
    batchSize: 8,
    lr: 0.1,
    schedule: 'cosine',
  });
  const run = await createRun(home, name, config);
  const model = o.model ?? new ResNet18({ width: 2, numClasses: 3, seed: 1 });
  await saveCheckpoint(runFiles(home, run.id).checkpoint('best'), model, null, {
    epoch: 1,
    width: 2,
    numClasses: 3,
  });
  if (!o.model) model.dispose();
  return run.id;
}
