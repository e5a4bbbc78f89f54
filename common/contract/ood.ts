// The ood part of the contract: OOD evaluation of a run's features (or of a folder of .npy features made
// elsewhere) with twenty post-hoc detectors and ODIN. Score convention everywhere: higher = more in-distribution.
import { z } from 'zod';
import { RunId } from './run-id';
import { request } from './define';
import { JobInfo } from './jobs';
import { BackendChoice } from './system';

export const OodMethod = z.enum([
  'msp',
  'maxlogit',
  'energy',
  'mahalanobis',
  'vim',
  'neco',
  // Issue 16: the OpenOOD v1.5 CIFAR leaderboard methods computable from features and the classifier.
  'knn',
  'react',
  'dice',
  'scale',
  'ash',
  'gen',
  'klm',
  'rmds',
  'she',
  'residual',
  'fdbd',
  'nnguide',
  'gradnorm',
  'nci',
  // Needs the network (input gradients): runs OODLab trained only, and only when asked for.
  'odin',
]);
export type OodMethod = z.infer<typeof OodMethod>;

export const OodParams = z
  .object({
    T: z.number().positive().optional().describe('Energy temperature'),
    D: z.number().int().min(1).optional().describe('ViM principal dimension (features)'),
    k: z.number().int().min(1).optional().describe('NECO PCA dimension (features)'),
    knnK: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('KNN: rank of the neighbour whose distance is the score'),
    reactP: z.number().min(0).max(100).optional().describe('ReAct: clipping percentile of ID activations'),
    diceP: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('DICE: sparsity percentile of weight contributions'),
    scaleP: z.number().min(0).max(100).optional().describe('SCALE: percentile of activations kept'),
    ashP: z.number().min(0).max(100).optional().describe('ASH-B: pruning percentile'),
    genGamma: z.number().positive().optional().describe('GEN: entropy exponent gamma'),
    genM: z.number().int().min(1).optional().describe('GEN: number of top probabilities M'),
    residualD: z.number().int().min(1).optional().describe('Residual: principal dimension (features)'),
    fdbdCentred: z
      .number()
      .int()
      .min(0)
      .max(1)
      .optional()
      .describe('fDBD: 1 = divide by ||h - mean||, 0 = by ||h||'),
    nnguideK: z.number().int().min(1).optional().describe('NNGuide: neighbours averaged'),
    nnguideAlpha: z
      .number()
      .positive()
      .max(1)
      .optional()
      .describe('NNGuide: fraction of ID train in the bank'),
    nciAlpha: z.number().min(0).optional().describe('NCI: weight of the L1 feature norm'),
    odinT: z.number().positive().optional().describe('ODIN: temperature'),
    odinEps: z.number().min(0).optional().describe('ODIN: input perturbation (pixel units)'),
  })
  .strict();
export type OodParams = z.infer<typeof OodParams>;

export const CheckpointRef = z.union([z.enum(['best', 'last']), z.number().int().min(1)]);
export type CheckpointRef = z.infer<typeof CheckpointRef>;

export const OodMetrics = z.object({
  auroc: z.number().describe('Area under the ROC curve, ID positive (fraction)'),
  auprIn: z.number().describe('Average precision with ID as the positive class (fraction)'),
  auprOut: z.number().describe('Average precision with OOD as the positive class (fraction)'),
  fpr95: z.number().describe('Classic FPR@95TPR: fraction of OOD accepted when 95% of ID is accepted'),
  fpr95OpenOOD: z.number().describe("OpenOOD's FPR@95: fraction of ID rejected when 95% of OOD is rejected"),
  detectionError: z.number().describe('min over thresholds of (1 - TPR + FPR) / 2 (fraction)'),
  auprInTrapz: z
    .number()
    .optional()
    .describe("OpenOOD's AUPR-In: trapezoid area under scikit-learn's precision-recall curve, ID positive"),
  auprOutTrapz: z
    .number()
    .optional()
    .describe("OpenOOD's AUPR-Out: trapezoid area under scikit-learn's precision-recall curve, OOD positive"),
  nId: z.number().int(),
  nOod: z.number().int(),
});
export type OodMetrics = z.infer<typeof OodMetrics>;

export const RocPoints = z.object({ fpr: z.array(z.number()), tpr: z.array(z.number()) });
export const ScoreHistogram = z.object({
  /** bins + 1 shared edges for ID and every OOD set. */
  edges: z.array(z.number()),
  id: z.array(z.number().int()),
  ood: z.record(z.string(), z.array(z.number().int())),
});

export const SweepPoint = z.object({
  params: z.record(z.string(), z.number()),
  auroc: z.number(),
  fpr95: z.number(),
});

export const OodMethodResult = z.object({
  method: OodMethod,
  label: z.string(),
  paper: z.string(),
  /** The hyper-parameters used for every number below. */
  params: z.record(z.string(), z.number()),
  paramSource: z.enum(['default', 'user', 'sweep']),
  datasets: z.record(z.string(), z.object({ metrics: OodMetrics, roc: RocPoints })),
  histogram: ScoreHistogram,
  sweep: z.array(SweepPoint).optional(),
  seconds: z.object({ fit: z.number(), score: z.number() }),
});
export type OodMethodResult = z.infer<typeof OodMethodResult>;

export const OodResults = z.object({
  version: z.literal(1),
  runId: z.string().nullable(),
  /** best, last, epoch-NNN, or null for imported features. */
  checkpoint: z.string().nullable(),
  featuresDir: z.string(),
  createdAt: z.string(),
  scoreConvention: z.string(),
  backend: z.string().nullable(),
  idTrain: z.number().int(),
  idTest: z.number().int(),
  dim: z.number().int(),
  classes: z.number().int(),
  oodSets: z.record(z.string(), z.number().int()),
  /** The ID set the features come from, when known. */
  idDataset: z.string().nullable().optional(),
  /** OpenOOD's near/far groups of the ID set (all their members, evaluated or not); null outside the benchmark. */
  groups: z
    .object({ near: z.array(z.string()), far: z.array(z.string()) })
    .nullable()
    .optional(),
  /** How hyper-parameters were picked: never on the test OOD sets. */
  selection: z.object({
    heldOut: z.string(),
    proxy: z.string(),
    /** Issue 16: the validation OOD set the sweep picked against ('proxy' = the perturbed-ID or feature proxy). */
    validationOod: z.string().optional(),
  }),
  methods: z.array(OodMethodResult),
  notes: z.array(z.string()),
});
export type OodResults = z.infer<typeof OodResults>;

/** One kept checkpoint scored: per method, AUROC and FPR@95 (classic) on each OOD set. */
export const OodEpochPoint = z.object({
  epoch: z.number().int(),
  checkpoint: z.string(),
  methods: z.record(
    z.string(),
    z.object({
      params: z.record(z.string(), z.number()),
      auroc: z.record(z.string(), z.number()),
      fpr95: z.record(z.string(), z.number()),
    }),
  ),
});
export type OodEpochPoint = z.infer<typeof OodEpochPoint>;

/** ood_epochs.json: OOD detection across training, one point per kept checkpoint (`evaluate RUN --epochs`). */
export const OodEpochs = z.object({
  version: z.literal(1),
  runId: z.string(),
  createdAt: z.string(),
  methods: z.array(z.object({ method: OodMethod, label: z.string() })),
  oodSets: z.array(z.string()),
  points: z.array(OodEpochPoint),
});
export type OodEpochs = z.infer<typeof OodEpochs>;

/** The fields of an evaluation: the request below requires exactly one source, the 'ood' job adds `merge`. */
const OodEvaluateFields = z
  .object({
    runId: RunId.optional(),
    /** A folder of .npy features made elsewhere (DESIGN.md layout) instead of a run. */
    featuresDir: z.string().min(1).optional(),
    checkpoint: CheckpointRef.optional(),
    methods: z.array(OodMethod).min(1).optional(),
    datasets: z.array(z.string().min(1)).min(1).optional(),
    backend: BackendChoice.optional(),
    /** Fixed hyper-parameters; those not given are picked by the sweep. */
    params: OodParams.optional(),
    /** Skip the sweep: defaults for what params does not fix. */
    noSweep: z.boolean().optional(),
    /** Also write each method x set's scores there as .npy. */
    scoresDir: z.string().min(1).optional(),
    /** Score every kept checkpoint (epoch-NNN) instead of one: writes ood_epochs.json. */
    epochs: z.boolean().optional(),
    /**
     * The OOD set the sweep validates against (never a test set): 'proxy' for the perturbed-ID proxy, or a set's
     * name; by default the first OOD set in the features folder that is not among `datasets`, else the proxy.
     */
    validationOod: z.string().min(1).optional(),
  })
  .strict();

export const OodEvaluateRequest = OodEvaluateFields.refine(
  (r) => Boolean(r.runId) !== Boolean(r.featuresDir),
  { message: 'give either runId or featuresDir' },
);
export type OodEvaluateRequest = z.infer<typeof OodEvaluateRequest>;

/**
 * Parameters of the 'ood' job (main/engine/ood/task.ts): an evaluation request, or the re-score that ood.rescore
 * builds, which merges into the run's existing ood_results.json instead of replacing it. Defaults: checkpoint
 * 'best', backend 'auto', no fixed params, sweep on, one checkpoint.
 */
export const OodJobParams = OodEvaluateFields.extend({ merge: z.boolean().optional() }).strict();
export type OodJobParams = z.infer<typeof OodJobParams>;

/** Parameters of the 'features' job (extraction only; main/engine/features/task.ts). Defaults: 'best', 'auto'. */
export const OodExtractRequest = z
  .object({
    runId: RunId,
    checkpoint: CheckpointRef.optional(),
    datasets: z.array(z.string().min(1)).optional(),
    backend: BackendChoice.optional(),
  })
  .strict();
export type OodExtractRequest = z.infer<typeof OodExtractRequest>;

export const oodRequests = {
  /** Starts a job (kind 'ood'): extracts features first when they are not cached. */
  'ood.evaluate': request(OodEvaluateRequest, JobInfo),
  /** Starts a job (kind 'features'): extraction only, e.g. for the Neural Collapse layer-wise study. */
  'ood.extract': request(OodExtractRequest, JobInfo),
  'ood.results': request(z.object({ runId: RunId }).strict(), OodResults),
  /** The across-training series of `evaluate --epochs`. */
  'ood.epochs': request(z.object({ runId: RunId }).strict(), OodEpochs),
  /** Re-scores from cached features with new hyper-parameters (a job: refitting ViM/NECO takes seconds). */
  'ood.rescore': request(z.object({ runId: RunId, params: OodParams }).strict(), JobInfo),
};

export const oodEvents = {};
