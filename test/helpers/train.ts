// The training loop on a width-2 network, 3 epochs, and a small synthetic set (8 training and 4 test images per
// class): the config, the data, an empty history and starting state, and a fresh network with its optimiser.
import type { TrainConfig, TrainingHistory } from '../../common/contract/train';
import { presetConfig } from '../../common/train/presets';
import { syntheticSet } from '../../main/engine/data/synthetic';
import { ResNet18 } from '../../main/engine/model/resnet';
import type { LoopState } from '../../main/engine/train/loop';
import { Sgd } from '../../main/engine/train/sgd';

export interface TinyLoopOptions {
  classes: number;
  batchSize: number;
  checkpointEvery: number;
  augment?: boolean;
}

export interface TinyLoop {
  c: TrainConfig;
  data: { train: ReturnType<typeof syntheticSet>; test: ReturnType<typeof syntheticSet> };
  /** the history a new run starts with */
  fresh: (runId: string) => TrainingHistory;
  /** the loop state of a run that has done nothing yet */
  start: (runId: string) => LoopState;
  /** a new network (seed 0) and its optimiser with the config's settings */
  make: () => { model: ResNet18; opt: Sgd };
}

export function tinyLoop(o: TinyLoopOptions): TinyLoop {
  const c = presetConfig('smoke', {
    width: 2,
    epochs: 3,
    batchSize: o.batchSize,
    augment: o.augment,
    checkpointEvery: o.checkpointEvery,
    synthetic: { classes: o.classes, trainPerClass: 8, testPerClass: 4 },
  });
  const data = {
    train: syntheticSet({ seed: c.seed, ...c.synthetic! }, 'train'),
    test: syntheticSet({ seed: c.seed, ...c.synthetic! }, 'test'),
  };
  const fresh = (runId: string): TrainingHistory => ({
    runId,
    config: {
      dataset: 'synthetic',
      width: 2,
      epochs: 3,
      batchSize: o.batchSize,
      lr: c.lr,
      schedule: c.schedule,
      seed: c.seed,
      numClasses: o.classes,
    },
    epochs: [],
  });
  return {
    c,
    data,
    fresh,
    start: (runId) => ({ epochsDone: 0, bestEpoch: 0, bestTestAcc: 0, bestScore: 0, history: fresh(runId) }),
    make: () => ({
      model: new ResNet18({ width: 2, numClasses: o.classes, seed: 0 }),
      opt: new Sgd({ lr: c.lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay }),
    }),
  };
}
