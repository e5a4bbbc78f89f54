// The ood part of the contract: OOD evaluation of a run's features (or of a folder of .npy features made
// elsewhere) with six post-hoc detectors. Score convention everywhere: higher = more in-distribution.
import { z } from 'zod';
import { RunId } from './run-id';
import { request } from './define';
import { JobInfo } from './jobs';
import { BackendChoice } from './system';

export const OodMethod = z.enum(['msp', 'maxlogit', 'energy', 'mahalanobis', 'vim', 'neco']);
export type OodMethod = z.infer<typeof OodMethod>;

export const OodParams = z
  .object({
    T: z.number().positive().optional().describe('Energy temperature'),
    D: z.number().int().min(1).optional().describe('ViM principal dimension (features)'),
    k: z.number().int().min(1).optional().describe('NECO PCA dimension (features)'),
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
  /** How hyper-parameters were picked: never on the test OOD sets. */
  selection: z.object({ heldOut: z.string(), proxy: z.string() }),
  methods: z.array(OodMethodResult),
  notes: z.array(z.string()),
});
export type OodResults = z.infer<typeof OodResults>;

export const OodEvaluateRequest = z
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
  })
  .strict()
  .refine((r) => Boolean(r.runId) !== Boolean(r.featuresDir), {
    message: 'give either runId or featuresDir',
  });
export type OodEvaluateRequest = z.infer<typeof OodEvaluateRequest>;

export const oodRequests = {
  /** Starts a job (kind 'ood'): extracts features first when they are not cached. */
  'ood.evaluate': request(OodEvaluateRequest, JobInfo),
  /** Starts a job (kind 'features'): extraction only, e.g. for the Neural Collapse layer-wise study. */
  'ood.extract': request(
    z
      .object({
        runId: RunId,
        checkpoint: CheckpointRef.optional(),
        datasets: z.array(z.string().min(1)).optional(),
        backend: BackendChoice.optional(),
      })
      .strict(),
    JobInfo,
  ),
  'ood.results': request(z.object({ runId: RunId }).strict(), OodResults),
  /** Re-scores from cached features with new hyper-parameters (a job: refitting ViM/NECO takes seconds). */
  'ood.rescore': request(z.object({ runId: RunId, params: OodParams }).strict(), JobInfo),
};

export const oodEvents = {};
