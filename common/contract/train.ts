// The train part of the contract: the training config (every field described, with its unit, so the UI can build
// its form from the schema), the per-epoch history written to training_history.json, and the live events.
import { z } from 'zod';
import { request } from './define';
import { JobInfo } from './jobs';
import { RunId } from './run-id';
import { BackendChoice } from './system';

export const SyntheticConfig = z
  .object({
    classes: z.number().int().min(2).max(100).describe('Number of synthetic classes (classes)'),
    trainPerClass: z.number().int().min(1).max(5000).describe('Training images generated per class (images)'),
    testPerClass: z.number().int().min(1).max(1000).describe('Test images generated per class (images)'),
  })
  .strict();
export type SyntheticConfig = z.infer<typeof SyntheticConfig>;

/** The synthetic set as generated when nothing else is asked: the data set registry's, a preset's and the form's. */
export const SYNTHETIC_DEFAULTS: SyntheticConfig = { classes: 10, trainPerClass: 500, testPerClass: 100 };

/** The fields, without cross-field checks (so other schemas can pick from them). */
export const TrainConfigFields = z
  .object({
    dataset: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'not a data set id')
      .describe(
        'Training data: CIFAR-100 or CIFAR-10 (`oodlab download`), a set you added (`oodlab datasets add`), or a synthetic set made from the seed',
      ),
    synthetic: SyntheticConfig.optional().describe(
      'Options of the synthetic dataset (generated in memory from the seed; used only when dataset is synthetic)',
    ),
    samplesPerEpoch: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Training images drawn per epoch, a fresh random subset each epoch (images; unset = the whole set)',
      ),
    valFraction: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.1)
      .describe(
        'Share of the training set held out as a validation split, never trained on: it chooses the best checkpoint and tunes OOD hyper-parameters, so the test set only reports (fraction; 0 = none, then the test set chooses)',
      ),
    testSamples: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Test images evaluated after each epoch, a fixed random subset (images; unset = the whole test set)',
      ),
    width: z
      .number()
      .int()
      .min(1)
      .max(128)
      .describe(
        'Width multiplier: channels of the first stage, doubled per stage (channels; 64 = standard ResNet-18)',
      ),
    epochs: z.number().int().min(1).max(1000).describe('Number of passes of training (epochs)'),
    batchSize: z.number().int().min(2).max(4096).describe('Images per optimiser step (images)'),
    microBatch: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Split each batch into chunks of this size to bound memory; gradients are summed (images; unset = whole batch)',
      ),
    lr: z.number().positive().max(10).describe('Peak learning rate of SGD, reached after warm-up (per step)'),
    schedule: z
      .enum(['cosine', 'multistep'])
      .describe('Learning-rate decay after warm-up: cosine to minLr, or steps at milestones'),
    minLr: z.number().min(0).default(0).describe('Final learning rate of the cosine schedule (per step)'),
    milestones: z
      .array(z.number().int().min(1))
      .default([])
      .describe(
        'Multi-step schedule: epochs (0-based index of the first epoch affected) at which the rate is multiplied by gamma',
      ),
    gamma: z
      .number()
      .positive()
      .max(1)
      .default(0.1)
      .describe('Multi-step schedule: factor applied at each milestone (ratio)'),
    warmupEpochs: z
      .number()
      .min(0)
      .default(0)
      .describe('Linear warm-up from lr/steps to lr over this many epochs, per step (epochs; 0 = none)'),
    momentum: z.number().min(0).max(0.999).default(0.9).describe('SGD momentum (ratio)'),
    nesterov: z.boolean().default(false).describe('Use Nesterov momentum'),
    weightDecay: z
      .number()
      .min(0)
      .max(0.1)
      .default(5e-4)
      .describe('L2 weight decay added to the gradient (per step)'),
    labelSmoothing: z
      .number()
      .min(0)
      .max(0.5)
      .default(0)
      .describe('Label smoothing of the cross-entropy target (fraction)'),
    augment: z
      .boolean()
      .default(true)
      .describe(
        'Random crop with 4-pixel zero padding and horizontal flip of training images (per-channel normalisation with the training set statistics always applies: CIFAR-100’s published ones, or those computed when the set was converted)',
      ),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0)
      .describe('Seed of weights, shuffling, augmentation and synthetic data (integer)'),
    checkpointEvery: z
      .number()
      .int()
      .min(1)
      .default(10)
      .describe(
        'Keep a checkpoint checkpoints/epoch-NNN every this many epochs, and at the last epoch (epochs)',
      ),
    backend: BackendChoice.default('auto').describe(
      'Compute backend; auto picks the fastest that loads here',
    ),
  })
  .strict();

export const TrainConfig = TrainConfigFields.superRefine((c, ctx) => {
  if (c.dataset === 'synthetic' && !c.synthetic)
    ctx.addIssue({
      code: 'custom',
      path: ['synthetic'],
      message: 'synthetic options are required for the synthetic dataset',
    });
  if (c.warmupEpochs >= c.epochs && c.warmupEpochs > 0)
    ctx.addIssue({ code: 'custom', path: ['warmupEpochs'], message: 'warm-up must be shorter than the run' });
  if (c.nesterov && c.momentum === 0)
    ctx.addIssue({ code: 'custom', path: ['nesterov'], message: 'Nesterov momentum needs momentum > 0' });
  if (c.microBatch !== undefined && c.microBatch > c.batchSize)
    ctx.addIssue({ code: 'custom', path: ['microBatch'], message: 'microBatch cannot exceed batchSize' });
});
export type TrainConfig = z.infer<typeof TrainConfig>;
export type TrainConfigInput = z.input<typeof TrainConfig>;

export const PresetName = z.enum(['paper', 'quick', 'smoke']);
export type PresetName = z.infer<typeof PresetName>;

export const HistoryEntry = z.object({
  epoch: z.number().int().min(1).describe('1-based epoch number'),
  trainLoss: z.number().describe('Mean training loss over the epoch (nats, with label smoothing)'),
  trainAcc: z.number().describe('Training accuracy over the epoch, with augmentation (fraction)'),
  testLoss: z.number().describe('Mean test cross-entropy (nats)'),
  testAcc: z.number().describe('Test accuracy (fraction)'),
  valLoss: z.number().optional().describe('Mean cross-entropy on the validation split (nats)'),
  valAcc: z.number().optional().describe('Accuracy on the validation split, held out of training (fraction)'),
  lr: z.number().describe('Learning rate at the last step of the epoch'),
  seconds: z.number().describe('Wall time of the epoch, evaluation included (s)'),
  imagesPerSecond: z.number().describe('Training throughput (images/s)'),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const TrainingHistory = z.object({
  runId: z.string(),
  config: z.object({
    dataset: z.string(),
    width: z.number(),
    epochs: z.number(),
    batchSize: z.number(),
    lr: z.number(),
    schedule: z.string(),
    seed: z.number(),
    numClasses: z.number(),
    backend: z.string().optional(),
  }),
  epochs: z.array(HistoryEntry),
});
export type TrainingHistory = z.infer<typeof TrainingHistory>;

/** A preset plus overrides, or a whole config: what train.start accepts. */
export const TrainStartRequest = z
  .object({
    preset: PresetName.optional(),
    overrides: z.record(z.string(), z.unknown()).optional(),
    config: TrainConfig.optional(),
    name: z
      .string()
      .regex(/^[a-z0-9-]{1,24}$/)
      .optional()
      .describe('Short label used in the run id'),
    runId: RunId.optional().describe(
      'Use this run id instead of a new one (a cluster task names its run); refused if it exists',
    ),
  })
  .strict()
  .refine((r) => Boolean(r.preset) !== Boolean(r.config), {
    message: 'give either preset (+ overrides) or config',
  });

const Started = z.object({ runId: z.string(), job: JobInfo });

/** What a finished 'train' job holds in JobInfo.result. */
export const TrainResult = z.object({
  runId: z.string(),
  epochsDone: z.number().int(),
  bestEpoch: z.number().int(),
  bestTestAcc: z.number(),
});
export type TrainResult = z.infer<typeof TrainResult>;

export const trainRequests = {
  'train.start': request(TrainStartRequest, Started),
  'train.resume': request(z.object({ runId: RunId, backend: BackendChoice.optional() }).strict(), Started),
  'train.presets': request(
    z.object({}).strict(),
    z.record(PresetName, z.object({ description: z.string(), config: TrainConfig })),
  ),
};

export const trainEvents = {
  /** Live per-batch metrics, at most 4 a second per run. */
  'train.batch': z.object({
    runId: z.string(),
    epoch: z.number().int(),
    batch: z.number().int(),
    batches: z.number().int(),
    loss: z.number(),
    acc: z.number(),
    lr: z.number(),
    imagesPerSecond: z.number(),
  }),
  /** One per finished epoch, with the entry appended to training_history.json. */
  'train.epoch': z.object({
    runId: z.string(),
    entry: HistoryEntry,
    bestEpoch: z.number().int(),
    bestTestAcc: z.number(),
  }),
};
