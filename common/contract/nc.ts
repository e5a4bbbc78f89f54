// The nc part of the contract: Neural Collapse results (Papyan, Han & Donoho 2020) of one run — the final model's
// NC1–NC5, the same per kept checkpoint (epochs), NC1 per ResNet stage (layers), and the class-mean geometry for plots.
// Written to runs/<id>/nc_results.json; the report merges it into summary.json as section `nc`.
import { z } from 'zod';
import { RunId } from './run-id';
import { request } from './define';
import { JobInfo } from './jobs';
import { CheckpointRef } from './ood';
import { BackendChoice } from './system';

export const NcOrthogonality = z.object({
  meanAbsCos: z
    .number()
    .describe('Mean |cos| between OOD features and the ID class means, both centred by the ID global mean'),
  globalMeanAbsCos: z
    .number()
    .describe(
      'NECO eq. 5: mean over classes of |cos| between the OOD global mean and each ID class mean (centred)',
    ),
  samples: z.number().int(),
});
export type NcOrthogonality = z.infer<typeof NcOrthogonality>;

/** Where class means are centred: see main/engine/linalg/class-stats.ts. */
export const NcCentring = z
  .enum(['sample', 'classes'])
  .describe(
    "sample: the mean of all samples (default); classes: the mean of the class means, with the unbiased std in equinorm (Papyan et al.'s code)",
  );

export const NcMetrics = z.object({
  classes: z.number().int().describe('Classes the metrics are over: those with training samples'),
  emptyClasses: z
    .array(z.number().int())
    .optional()
    .describe(
      'Classes of the model without a training sample, left out of every NC metric (C in NC1 and the ETF counts ' +
        'the present classes only; W is restricted to their rows); absent when every class has samples',
    ),
  dim: z.number().int(),
  centring: NcCentring.optional().describe('Centring the metrics were computed with (absent: sample)'),
  trainSamples: z.number().int(),
  testSamples: z.number().int(),
  nc1: z.number().describe('Tr(Sw Sb^+)/C: within-class variability relative to the between-class spread'),
  trSw: z.number().describe('Tr(Sw): mean squared distance of a training feature to its class mean'),
  trSb: z.number().describe('Tr(Sb): mean squared norm of the centred class means'),
  rankSb: z.number().int().describe('Numerical rank of Sb used by the pseudo-inverse (at most C-1)'),
  nc2: z.object({
    equinormMeans: z.number().describe('std/mean of the centred class-mean norms'),
    equinormClassifier: z.number().describe('std/mean of the classifier-row norms'),
    equiangularMeans: z.number().describe('mean over class pairs of |cos + 1/(C-1)|, centred class means'),
    equiangularMeansMax: z.number().describe('largest |cos + 1/(C-1)| over class pairs, centred class means'),
    equiangularClassifier: z.number().describe('mean over class pairs of |cos + 1/(C-1)|, classifier rows'),
    equiangularClassifierMax: z
      .number()
      .describe('largest |cos + 1/(C-1)| over class pairs, classifier rows'),
  }),
  nc3: z.number().describe('||W/||W||_F - M/||M||_F||_F^2 (M: centred class means)'),
  nc4: z
    .number()
    .describe('Share of training samples where the nearest-class-centre and network predictions differ'),
  nc5: z
    .number()
    .describe('Share of test samples where the nearest-class-centre and network predictions agree'),
  nccTestAccuracy: z
    .number()
    .describe('Accuracy of the nearest-class-centre classifier (train means) on test'),
  nccTrainAccuracy: z.number(),
  trainAccuracy: z.number().describe('Network (argmax logits) accuracy on the training features'),
  testAccuracy: z.number().describe('Network (argmax logits) accuracy on the test features'),
  idOodOrthogonality: z
    .record(z.string(), NcOrthogonality)
    .describe('ID/OOD orthogonality ("NC5" of the NECO paper, Ammar et al. 2024), one entry per OOD set'),
});
export type NcMetrics = z.infer<typeof NcMetrics>;

export const NcEpoch = z.object({ epoch: z.number().int(), metrics: NcMetrics });
export type NcEpoch = z.infer<typeof NcEpoch>;

export const NcLayer = z.object({
  name: z.string().describe('layer1..layer4 (pooled stage outputs) or penultimate'),
  dim: z.number().int(),
  nc1: z.number(),
  trSw: z.number(),
  trSb: z.number(),
  nccTrainAccuracy: z.number(),
  nccTestAccuracy: z.number(),
  nccNetworkAgreement: z
    .number()
    .describe('Share of test samples where this layer’s NCC agrees with the network'),
});
export type NcLayer = z.infer<typeof NcLayer>;

const Points = z.array(z.array(z.number()));

export const NcGeometry = z.object({
  classes: z.number().int(),
  classIds: z
    .array(z.number().int())
    .optional()
    .describe('Original class index of each row when classes without training samples were left out'),
  cosMeans: Points.describe('C x C cosines of the centred class means'),
  cosClassifier: Points.describe('C x C cosines of the classifier rows'),
  etfDistanceMeans: z.number().describe('||cos matrix - ideal simplex-ETF Gram||_F, centred class means'),
  etfDistanceClassifier: z.number().describe('||cos matrix - ideal simplex-ETF Gram||_F, classifier rows'),
  pca: z.object({
    explained: z.array(z.number()).describe('Share of the class-mean variance on each of the first 3 axes'),
    means: Points.describe('Centred class means on the first 3 principal axes of the class means (C x 3)'),
    classifier: Points.describe('Classifier rows, rescaled to the means’ Frobenius norm, on the same axes'),
    etf: Points.describe(
      'The nearest simplex ETF (orthogonal Procrustes) to the class means, on the same axes',
    ),
  }),
});
export type NcGeometry = z.infer<typeof NcGeometry>;

export const NcResults = z.object({
  version: z.literal(1),
  runId: z.string().nullable(),
  createdAt: z.string(),
  source: z.object({ featuresDir: z.string(), checkpoint: z.string().nullable() }),
  final: NcMetrics,
  perEpoch: z.array(NcEpoch),
  layers: z.array(NcLayer),
  geometry: NcGeometry,
  seconds: z.number().describe('Wall time of the analysis'),
});
export type NcResults = z.infer<typeof NcResults>;

export const NcAnalyzeRequest = z
  .object({
    runId: RunId,
    epochs: z.boolean().default(false).describe('Also analyse every kept checkpoint (epoch-NNN)'),
    layers: z.boolean().default(false).describe('Also compute NC1 of each ResNet stage (pooled outputs)'),
    checkpoint: CheckpointRef.default('last').describe(
      'The model analysed as final (the last epoch by default)',
    ),
    datasets: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'OOD sets for the ID/OOD orthogonality (default: those the feature extraction picks for the run)',
      ),
    backend: BackendChoice.default('auto'),
    centring: NcCentring.default('sample'),
  })
  .strict();
export type NcAnalyzeRequest = z.infer<typeof NcAnalyzeRequest>;

export const ncRequests = {
  'nc.analyze': request(NcAnalyzeRequest, JobInfo),
  'nc.results': request(z.object({ runId: RunId }).strict(), NcResults),
};

export const ncEvents = {
  /** Pushed as each checkpoint's metrics are ready, so the Collapse page can draw the curves live. */
  'nc.epoch': z.object({ jobId: z.string(), runId: z.string(), epoch: z.number().int(), metrics: NcMetrics }),
};
