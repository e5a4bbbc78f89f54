import type { EventChannel, EventOf, JobProgress } from '../../common/contract';

/** What a task running inside a job's worker can do. Tasks live in the engine and main/worker runs them; this is their only window out. */
export interface TaskContext {
  jobId: string;
  /** The data folder (datasets/, runs/). */
  home: string;
  /** Aborted by jobs.cancel: check it at every batch and throw cancelled() when set. */
  signal: AbortSignal;
  progress(p: JobProgress): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  emit<E extends EventChannel>(channel: E, payload: EventOf<E>): void;
}

export type TaskFn = (params: unknown, ctx: TaskContext) => Promise<unknown>;
