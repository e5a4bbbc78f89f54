import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { EventChannel, JobInfo, JobKind, JobProgress } from '../../common/contract';
import { OodlabError } from '../../common/contract';
import type { EventBus } from '../api/events';
import type { FromWorker, ToWorker, WorkerInput } from '../worker/protocol';
import { spawnWorker } from './worker-entry';

export interface JobSpec {
  kind: JobKind;
  title: string;
  params: unknown;
  runId?: string;
}

interface Entry {
  info: JobInfo;
  worker: Worker;
  finished: Promise<JobInfo>;
  lastUpdate: number;
  pendingUpdate?: NodeJS.Timeout;
}

/** Progress pushes per job are limited to a few a second; state changes always go out at once. */
const UPDATE_INTERVAL_MS = 250;

/** One worker thread per job; progress and logs become pushed events; cancel is by id. */
export class JobManager {
  private readonly jobs = new Map<string, Entry>();

  constructor(
    private readonly home: string,
    private readonly bus: EventBus,
  ) {}

  start(spec: JobSpec): JobInfo {
    const id = randomUUID();
    const info: JobInfo = {
      id,
      kind: spec.kind,
      title: spec.title,
      state: 'running',
      runId: spec.runId,
      startedAt: new Date().toISOString(),
    };
    const input: WorkerInput = { jobId: id, kind: spec.kind, params: spec.params, home: this.home };
    const worker = spawnWorker(input);
    let resolveFinished!: (i: JobInfo) => void;
    const finished = new Promise<JobInfo>((r) => (resolveFinished = r));
    const entry: Entry = { info, worker, finished, lastUpdate: 0 };
    this.jobs.set(id, entry);

    const finish = (patch: Partial<JobInfo>) => {
      if (entry.info.state !== 'running') return;
      clearTimeout(entry.pendingUpdate);
      entry.info = { ...entry.info, ...patch, endedAt: new Date().toISOString() };
      this.bus.emit('job.update', entry.info);
      resolveFinished(entry.info);
      void worker.terminate();
    };

    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'progress':
          this.progress(entry, m.progress);
          break;
        case 'log':
          this.bus.emit('job.log', {
            jobId: id,
            level: m.level,
            message: m.message,
            time: new Date().toISOString(),
          });
          break;
        case 'event':
          this.bus.emit(m.channel as EventChannel, m.payload as never);
          break;
        case 'done':
          finish({ state: 'done', result: m.result });
          break;
        case 'cancelled':
          finish({ state: 'cancelled', result: m.result });
          break;
        case 'error':
          finish({ state: 'failed', error: m.error });
          break;
      }
    });
    // A crash in the worker (uncaught error, process.exit, out of memory) fails the job, never the app.
    worker.on('error', (err) => finish({ state: 'failed', error: { code: 'failed', message: err.message } }));
    worker.on('exit', (code) =>
      finish({
        state: 'failed',
        error: {
          code: 'failed',
          message: `The job's worker thread stopped unexpectedly (exit code ${code}).`,
        },
      }),
    );
    this.bus.emit('job.update', info);
    return info;
  }

  private progress(entry: Entry, progress: JobProgress): void {
    entry.info = { ...entry.info, progress };
    const now = Date.now();
    const push = () => {
      entry.pendingUpdate = undefined;
      entry.lastUpdate = Date.now();
      if (entry.info.state === 'running') this.bus.emit('job.update', entry.info);
    };
    if (now - entry.lastUpdate >= UPDATE_INTERVAL_MS) push();
    else entry.pendingUpdate ??= setTimeout(push, UPDATE_INTERVAL_MS - (now - entry.lastUpdate));
  }

  cancel(id: string): boolean {
    const entry = this.jobs.get(id);
    if (!entry) throw new OodlabError('not_found', `No job with id ${id}.`);
    if (entry.info.state !== 'running') return false;
    entry.worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    return true;
  }

  get(id: string): JobInfo {
    const entry = this.jobs.get(id);
    if (!entry) throw new OodlabError('not_found', `No job with id ${id}.`);
    return entry.info;
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((e) => e.info);
  }

  /** Resolves when the job ends, whatever its end. */
  wait(id: string): Promise<JobInfo> {
    const entry = this.jobs.get(id);
    if (!entry) throw new OodlabError('not_found', `No job with id ${id}.`);
    return entry.finished;
  }

  /** Cancels every running job and waits (bounded) for them to stop: used at app quit. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    const running = [...this.jobs.values()].filter((e) => e.info.state === 'running');
    for (const e of running) e.worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    const timeout = new Promise((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([Promise.all(running.map((e) => e.finished)), timeout]);
    await Promise.all(running.map((e) => e.worker.terminate()));
  }
}
