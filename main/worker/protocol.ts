import type { ErrorBody, JobKind, JobProgress } from '../../common/contract';

/** What a job's worker thread receives at start. */
export interface WorkerInput {
  jobId: string;
  kind: JobKind;
  params: unknown;
  home: string;
}

export type ToWorker = { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; progress: JobProgress }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'event'; channel: string; payload: unknown }
  | { type: 'done'; result: unknown }
  | { type: 'cancelled'; result: unknown }
  | { type: 'error'; error: ErrorBody };
