// The cluster part of the contract: a group is one SLURM job array of seeded runs of one config (one task per
// seed, each running the headless pipeline), kept in <home>/groups/<id>/; its summary is the mean and standard
// deviation over seeds of every figure a run's summary.json reports. OODLab never schedules: SLURM does.
import { z } from 'zod';
import { request } from './define';
import { ExportResult, FigureFormat } from './report';
import { RunState } from './runs';
import { PresetName, TrainConfig } from './train';

const GroupId = z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, 'not a group id');

/** What `#SBATCH` lines the script gets. Unset fields are left to the cluster's defaults. */
export const SlurmOptions = z
  .object({
    partition: z
      .string()
      .regex(/^[A-Za-z0-9_.,-]+$/)
      .optional(),
    account: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .optional(),
    gpus: z.number().int().min(0).max(64).optional().describe('GPUs per task (--gres=gpu:N)'),
    cpus: z.number().int().min(1).max(1024).optional().describe('CPUs per task'),
    mem: z
      .string()
      .regex(/^\d+[KMGT]?$/, 'like 32G')
      .optional(),
    time: z
      .string()
      .regex(/^(\d+-)?\d{1,2}(:\d{2}){0,2}$/, 'like 24:00:00 or 1-12:00:00')
      .optional(),
    signalSeconds: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(300)
      .describe('SIGUSR1 this many seconds before the time limit: checkpoint, requeue'),
    extra: z
      .array(z.string().regex(/^#SBATCH [^\n]+$/, "one '#SBATCH …' line"))
      .default([])
      .describe('More #SBATCH lines, verbatim'),
  })
  .strict();
export type SlurmOptions = z.infer<typeof SlurmOptions>;

export const GroupTask = z.object({
  index: z.number().int().min(0).describe('Array task id (SLURM_ARRAY_TASK_ID)'),
  seed: z.number().int(),
  runId: z.string().describe('The run this task trains, under runs/'),
});
export type GroupTask = z.infer<typeof GroupTask>;

export const Group = z.object({
  version: z.literal(1),
  id: z.string(),
  name: z.string().describe('Preset or label'),
  createdAt: z.string(),
  preset: PresetName,
  config: TrainConfig.describe('The config of every task; only the seed differs'),
  tasks: z.array(GroupTask),
  slurm: SlurmOptions,
  home: z.string().describe('The data folder the tasks use (on the shared file system)'),
  command: z.string().describe('How the tasks call oodlab'),
  jobId: z.string().nullable().describe('SLURM array job id once submitted'),
  submittedAt: z.string().nullable(),
});
export type Group = z.infer<typeof Group>;

/** SLURM's many states, folded to what a user acts on. */
export const TaskState = z.enum([
  'pending',
  'running',
  'requeued',
  'completed',
  'failed',
  'cancelled',
  'unknown',
]);
export type TaskState = z.infer<typeof TaskState>;

export const TaskStatus = GroupTask.extend({
  slurmId: z.string().nullable().describe('e.g. 1234_0'),
  state: TaskState,
  slurmState: z.string().nullable().describe('SLURM state as squeue/sacct/scontrol say it'),
  reason: z.string().nullable(),
  restarts: z.number().int().nullable(),
  run: z
    .object({
      state: RunState,
      epochs: z.number().int(),
      epochsDone: z.number().int(),
      bestTestAcc: z.number(),
    })
    .nullable()
    .describe('Training progress from the run folder (null before the task started)'),
  logTail: z.string().nullable().describe('Last lines of the task log, for failed tasks'),
});
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Stat = z.object({
  mean: z.number(),
  std: z.number().nullable().describe('Sample standard deviation (n-1); null for one seed'),
  n: z.number().int(),
  values: z.array(z.number()).describe('Per seed, in the order of `seeds`'),
});
export type Stat = z.infer<typeof Stat>;

const MetricStats = z.record(z.string(), Stat);

export const GroupSummary = z
  .object({
    version: z.literal(1),
    groupId: z.string(),
    createdAt: z.string(),
    stdConvention: z.string(),
    seeds: z.array(z.number().int()),
    runs: z.array(z.string()),
    training: MetricStats.describe('finalTestAcc, bestTestAcc, finalTrainAcc, finalTestLoss, seconds'),
    curves: z
      .object({
        epochs: z.array(z.number().int()),
        testAcc: z.array(Stat),
        trainLoss: z.array(Stat),
      })
      .describe('Per epoch, over seeds'),
    ood: z
      .array(z.object({ method: z.string(), label: z.string(), dataset: z.string(), metrics: MetricStats }))
      .describe('Method x OOD set: auroc, auprIn, auprOut, fpr95, fpr95OpenOOD, detectionError'),
    oodGroups: z
      .array(
        z.object({
          method: z.string(),
          label: z.string(),
          group: z.enum(['near', 'far']),
          datasets: z.array(z.string()),
          metrics: MetricStats,
        }),
      )
      .describe('Per seed, the mean over the near- (far-) OOD sets; then mean and std over seeds'),
    nc: MetricStats.nullable().describe('NC1-NC5 of the final checkpoint'),
  })
  .describe("A group's summary.json");
export type GroupSummary = z.infer<typeof GroupSummary>;

export const GroupStatus = z.object({
  group: Group,
  state: TaskState.describe('completed when every task is; failed when any is; else the least advanced'),
  tasks: z.array(TaskStatus),
  slurm: z.string().nullable().describe('Why SLURM could not be asked (no squeue here), else null'),
  summary: GroupSummary.nullable(),
});
export type GroupStatus = z.infer<typeof GroupStatus>;

export const SubmitRequest = z
  .object({
    preset: PresetName,
    seeds: z.array(z.number().int().min(0)).min(1).max(1000),
    overrides: z.record(z.string(), z.unknown()).optional(),
    name: z
      .string()
      .regex(/^[a-z0-9-]{1,24}$/)
      .optional(),
    slurm: SlurmOptions.default({ signalSeconds: 300, extra: [] }),
    command: z.string().optional().describe('How tasks call oodlab (default: this node and this install)'),
    dryRun: z.boolean().default(false),
  })
  .strict();

export const clusterRequests = {
  /** Writes the group folder and its sbatch script; submits it unless dryRun. */
  'cluster.submit': request(
    SubmitRequest,
    z.object({ group: Group, script: z.string(), submitted: z.boolean() }),
  ),
  'cluster.groups': request(z.object({}).strict(), z.array(GroupStatus)),
  'cluster.status': request(z.object({ id: GroupId }).strict(), GroupStatus),
  'cluster.cancel': request(z.object({ id: GroupId }).strict(), z.object({ cancelled: z.string() })),
  /** Figures (mean ± std), summary.json and README.txt of a group into dir, as report.export does for a run. */
  'cluster.export': request(
    z
      .object({
        id: GroupId,
        dir: z.string().min(1),
        formats: z.array(FigureFormat).min(1).default(['svg', 'png']),
        scale: z.number().min(0.5).max(8).default(2),
      })
      .strict(),
    ExportResult,
  ),
  /** Mean and std over seeds from the runs' summaries; written to the group's summary.json. */
  'cluster.aggregate': request(z.object({ id: GroupId }).strict(), GroupSummary),
};

export const clusterEvents = {
  /** Pushed when a group's tasks change state (polled every few seconds while any group is unfinished). */
  'cluster.update': GroupStatus,
};
