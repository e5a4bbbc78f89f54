// The runs part of the contract: one folder per run (runs/<id>/) whose manifest.json says where the run stands.
import { z } from 'zod';
import { RunId } from './run-id';
import { request } from './define';
import { BackendName } from './system';
import { TrainConfig, TrainingHistory } from './train';

/**
 * States written to manifest.json. 'interrupted' is never written: it is what a 'running' manifest is shown as
 * when the process that owned it is gone (see main/engine/runs/liveness.ts). cancelled, failed and interrupted runs
 * can be resumed.
 */
export const RunState = z.enum(['running', 'cancelled', 'failed', 'done', 'interrupted']);
export type RunState = z.infer<typeof RunState>;

/** The compute backend a thread initialised (main/engine/backend). */
export const BackendReport = z.object({
  name: BackendName,
  /** Device or adapter description, e.g. "llvmpipe: Mesa 25.0.7 (software)". */
  device: z.string(),
  /** A software adapter / CPU-emulated GPU: never picked by auto. */
  software: z.boolean(),
  versions: z.record(z.string(), z.string()),
  /** What ran the training steps (main/engine/train/engine.ts), e.g. "ONNX Runtime 1.x (CPU, 2 threads)". */
  engine: z.string().optional(),
});
export type BackendReport = z.infer<typeof BackendReport>;

export const RunManifest = z.object({
  id: z.string(),
  name: z.string().describe('Preset or label the run was started from'),
  state: RunState,
  createdAt: z.string(),
  updatedAt: z.string(),
  epochs: z.number().int().describe('Epochs the run is configured for'),
  epochsDone: z.number().int().describe('Epochs completed and saved in checkpoints/last'),
  bestEpoch: z.number().int().describe('Epoch of the best test accuracy (0 = none yet)'),
  bestTestAcc: z.number().describe('Test accuracy at bestEpoch (fraction)'),
  bestValAcc: z
    .number()
    .optional()
    .describe(
      'Validation accuracy at bestEpoch, the accuracy that chose it when the run has a validation split (fraction)',
    ),
  bestChosenBy: z
    .enum(['validation', 'test'])
    .optional()
    .describe(
      'Which split chose the best checkpoint: the validation split held out of training, or the test set',
    ),
  backend: BackendReport.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** Who is running it: process id, host name and a heartbeat refreshed while it trains. */
  owner: z.object({ pid: z.number().int(), host: z.string(), heartbeatAt: z.string() }).optional(),
  jobId: z.string().optional(),
  /** 'imported': a model made elsewhere (import.json says what it is); absent or 'trained': trained here. */
  kind: z.enum(['trained', 'imported']).optional(),
  /** Imported runs: the model's format, where it came from and its sha256 (details in import.json). */
  imported: z
    .object({ format: z.enum(['onnx', 'pytorch', 'safetensors']), source: z.string(), sha256: z.string() })
    .optional(),
});
export type RunManifest = z.infer<typeof RunManifest>;

export const RunDetail = z.object({
  manifest: RunManifest,
  config: TrainConfig,
  history: TrainingHistory.nullable(),
  checkpoints: z.array(z.string()).describe('Checkpoint folder names: epoch-NNN, best, last'),
});
export type RunDetail = z.infer<typeof RunDetail>;

/** The one run-id schema (defined in run-id.ts, which train.ts can import without a cycle). */
export { RunId };

export const runsRequests = {
  'runs.list': request(z.object({}).strict(), z.array(RunManifest)),
  'runs.get': request(z.object({ id: RunId }).strict(), RunDetail),
  'runs.delete': request(z.object({ id: RunId }).strict(), z.object({ deleted: z.boolean() })),
};

export const runsEvents = {
  /** Pushed whenever a run's manifest changes (state, epochs done, best). */
  'run.update': RunManifest,
};
