// The report part of the contract: summary.json (one documented record of a run: config, environment, training
// result, OOD table, Neural Collapse, timings; validated on write and on read), figure export and single figures
// for the renderer's "save chart". Figures themselves are defined in common/charts.
import { z } from 'zod';
import { RunId } from './run-id';
import { request } from './define';
import { JobInfo } from './jobs';
import { ImportedModel } from './models';
import { NcEpoch, NcLayer, NcMetrics } from './nc';
import { OodMethod, OodMetrics } from './ood';
import { BackendReport, RunState } from './runs';
import { TrainConfig } from './train';

export const SummaryEnvironment = z
  .object({
    app: z.string().describe('OODLab version that wrote the summary'),
    node: z.string().describe('Node.js version'),
    platform: z.string().describe('Operating system (process.platform)'),
    arch: z.string().describe('CPU architecture'),
    cpu: z.string().describe('CPU model'),
    cores: z.number().int().describe('Logical CPU cores'),
    backend: BackendReport.nullable().describe(
      'Compute backend that trained the run: name, device or adapter, library versions (null if never started)',
    ),
    oodBackend: z.string().nullable().describe('Backend that extracted the features scored for OOD'),
  })
  .describe('Where the run was made');

export const SummaryTraining = z
  .object({
    state: RunState.describe('Run state when the summary was written'),
    epochs: z.number().int().describe('Epochs configured'),
    epochsDone: z.number().int().describe('Epochs completed'),
    bestEpoch: z
      .number()
      .int()
      .describe(
        'Epoch of the `best` checkpoint: highest validation accuracy, or highest test accuracy in runs without a validation split (0 = none)',
      ),
    bestChosenBy: z
      .enum(['validation', 'test'])
      .describe('Which split chose bestEpoch: the validation split held out of training, or the test set'),
    bestValAcc: z
      .number()
      .nullable()
      .describe('Validation accuracy at bestEpoch (fraction; null without a split)'),
    bestTestAcc: z.number().describe('Test accuracy at bestEpoch (fraction)'),
    finalTestAcc: z.number().nullable().describe('Test accuracy after the last epoch (fraction)'),
    finalTrainAcc: z
      .number()
      .nullable()
      .describe('Training accuracy over the last epoch, augmented (fraction)'),
    finalTestLoss: z.number().nullable().describe('Test cross-entropy after the last epoch (nats)'),
    numClasses: z.number().int().nullable().describe('Classes of the training set'),
    seconds: z.number().describe('Wall time of all epochs, evaluation included (s)'),
    imagesPerSecond: z.number().nullable().describe('Mean training throughput over the epochs (images/s)'),
  })
  .describe('Result of training; the per-epoch curve is in training_history.json');

export const SummaryOodRow = OodMetrics.extend({
  method: OodMethod,
  label: z.string().describe('Display name of the detector'),
  dataset: z.string().describe('OOD set'),
  params: z.record(z.string(), z.number()).describe('Hyper-parameters used'),
  paramSource: z.enum(['default', 'user', 'sweep']).describe('Where the hyper-parameters came from'),
}).describe('One detector on one OOD set');

export const SummaryOod = z
  .object({
    checkpoint: z.string().nullable().describe('Checkpoint whose features were scored'),
    scoreConvention: z.string(),
    fpr95Convention: z.string().describe('Which FPR@95 `fpr95` is; `fpr95OpenOOD` holds the other'),
    idTrain: z.number().int().describe('ID training samples the detectors were fitted on'),
    idTest: z.number().int().describe('ID test samples scored'),
    oodSets: z.record(z.string(), z.number().int()).describe('OOD set -> samples scored'),
    selection: z
      .object({ heldOut: z.string(), proxy: z.string(), validationOod: z.string().optional() })
      .describe('How hyper-parameters were picked'),
    table: z.array(SummaryOodRow).describe('Method x OOD set metrics (all fractions)'),
    groups: z
      .object({ near: z.array(z.string()), far: z.array(z.string()) })
      .nullable()
      .optional()
      .describe("OpenOOD v1.5's near-/far-OOD sets of the ID set; null outside the benchmark"),
    groupMeans: z
      .array(
        z.object({
          method: OodMethod,
          group: z.enum(['near', 'far']),
          sets: z.array(z.string()).describe('The sets of the group that were scored'),
          auroc: z.number(),
          fpr95: z.number(),
          fpr95OpenOOD: z.number(),
          auprIn: z.number(),
          auprOut: z.number(),
        }),
      )
      .optional()
      .describe('Per method, the mean of each metric over the scored sets of each group (fractions)'),
    notes: z.array(z.string()),
  })
  .describe('OOD detection, from ood_results.json');

export const SummaryNc = z
  .object({
    checkpoint: z.string().nullable().describe('Checkpoint analysed for `final`, `layers` and the geometry'),
    final: NcMetrics,
    perEpoch: z.array(NcEpoch).describe('The same metrics for every kept checkpoint (may be empty)'),
    layers: z.array(NcLayer).describe('NC1 per ResNet stage (layer-wise collapse)'),
    etfDistanceMeans: z.number().describe('Frobenius distance of the class-mean cosines to the simplex ETF'),
    etfDistanceClassifier: z.number().describe('The same for the classifier rows'),
  })
  .describe('Neural Collapse, from nc_results.json');

export const SummaryTimings = z
  .object({
    trainingSeconds: z.number().describe('Sum of epoch wall times (s)'),
    oodSeconds: z
      .number()
      .nullable()
      .describe('Fitting and scoring of every detector (s; feature extraction excluded)'),
    ncSeconds: z.number().nullable().describe('Wall time of the Neural Collapse analysis (s)'),
  })
  .describe('Where the time went');

export const Summary = z
  .object({
    version: z.literal(1).describe('Schema version of this file'),
    runId: z.string().describe('Run id, the name of its folder under runs/'),
    name: z.string().describe('Preset or label the run was started from'),
    createdAt: z.string().describe('When this summary was written (ISO 8601)'),
    runCreatedAt: z.string().describe('When the run started (ISO 8601)'),
    config: TrainConfig.describe('The training config, as in config.json'),
    imported: ImportedModel.optional().describe(
      'Imported runs: the model file, its sha256, how it is fed and read (as in import.json); for an ONNX model the config only names the data set',
    ),
    environment: SummaryEnvironment,
    training: SummaryTraining,
    ood: SummaryOod.nullable().describe('null until `oodlab evaluate` has run'),
    nc: SummaryNc.nullable().describe('null until `oodlab analyze` has run'),
    oodEpochs: z
      .array(
        z.object({
          epoch: z.number().int(),
          method: OodMethod,
          dataset: z.string().describe('OOD set'),
          auroc: z.number(),
          fpr95: z.number(),
        }),
      )
      .nullable()
      .optional()
      .describe('OOD across training (`evaluate --epochs`): one row per kept checkpoint, method and OOD set'),
    timings: SummaryTimings,
  })
  .describe('summary.json: everything a paper table needs from one run');
export type Summary = z.infer<typeof Summary>;

export const FigureFormat = z.enum(['svg', 'png']);
export type FigureFormat = z.infer<typeof FigureFormat>;

export const ExportRequest = z
  .object({
    runId: RunId,
    dir: z.string().min(1).describe('Folder to write into (created if missing)'),
    formats: z.array(FigureFormat).min(1).default(['svg', 'png']).describe('Figure file formats'),
    scale: z.number().min(0.5).max(8).default(2).describe('PNG pixels per figure pixel'),
  })
  .strict();
export type ExportRequest = z.infer<typeof ExportRequest>;

export const ExportResult = z.object({
  dir: z.string(),
  files: z.array(z.string()).describe('Paths written, relative to dir'),
  figures: z.array(z.string()).describe('Figure ids exported'),
  skipped: z.array(z.string()).describe('Figures not exported and why (their data do not exist yet)'),
  seconds: z.number(),
});
export type ExportResult = z.infer<typeof ExportResult>;

export const FigureRequest = z
  .object({
    runId: RunId,
    figure: z.string().min(1).describe('Figure id, e.g. training-curves or roc-svhn'),
    format: FigureFormat.default('svg'),
    theme: z.enum(['light', 'dark']).default('light'),
    scale: z.number().min(0.5).max(8).default(2),
  })
  .strict();

export const reportRequests = {
  /** Builds summary.json from the run's files, writes it into the run folder and returns it. */
  'report.summary': request(z.object({ runId: RunId }).strict(), Summary),
  /** Starts a job (kind 'export'): figures, summary.json, training_history.json and README.txt into dir. */
  'report.export': request(ExportRequest, JobInfo),
  /** One figure, rendered headless: SVG text, or a PNG data URL. */
  'report.figure': request(
    FigureRequest,
    z.object({ figure: z.string(), format: FigureFormat, mime: z.string(), data: z.string() }),
  ),
};

export const reportEvents = {};
