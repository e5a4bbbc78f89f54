import { z } from 'zod';
import { request } from './define';

export const JobKind = z.enum([
  'datasets.download',
  'datasets.add',
  'train',
  'features',
  'ood',
  'nc',
  'export',
  'selftest',
]);
export type JobKind = z.infer<typeof JobKind>;

/** 'queued': waiting for a free slot (main/jobs/limits.ts: one training and one analysis at a time by default). */
export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

export const JobProgress = z.object({
  /** 0..1, or null while the total is unknown. */
  fraction: z.number().min(0).max(1).nullable(),
  message: z.string(),
  etaSeconds: z.number().nullable().optional(),
  /** Free-form numbers for the UI (bytes done, bytes total, rate, epoch...). */
  detail: z.record(z.string(), z.number()).optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobInfo = z.object({
  id: z.string(),
  kind: JobKind,
  title: z.string(),
  state: JobState,
  runId: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  progress: JobProgress.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  result: z.unknown().optional(),
});
export type JobInfo = z.infer<typeof JobInfo>;

export const JobLog = z.object({
  jobId: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
  time: z.string(),
});
export type JobLog = z.infer<typeof JobLog>;

export const jobsRequests = {
  'jobs.list': request(z.object({}).strict(), z.array(JobInfo)),
  'jobs.get': request(z.object({ id: z.string().min(1) }).strict(), JobInfo),
  'jobs.cancel': request(z.object({ id: z.string().min(1) }).strict(), z.object({ cancelled: z.boolean() })),
};

export const jobsEvents = {
  /** Pushed on every state change and (throttled) on progress. */
  'job.update': JobInfo,
  'job.log': JobLog,
};
