import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { EventChannel, JobInfo, JobKind, JobProgress } from '../../common/contract';
import { OodlabError } from '../../common/contract';
import type { EventBus } from '../events';
import type { FromWorker, ToWorker, WorkerInput } from '../worker/protocol';
import { limitsFromEnv, slotOf, type JobLimits, type SlotClass } from './limits';
import { takeSlot, type Slot } from './slots';
import { spawnWorker } from './worker-entry';

export interface JobSpec {
  kind: JobKind;
  title: string;
  params: unknown;
  runId?: string;
}

interface Entry {
  info: JobInfo;
  slot: SlotClass;
  /** Absent while the job waits in the queue. */
  worker?: Worker;
  /** The machine-wide slot it holds while it runs (limited classes only). */
  held?: Slot;
  launch: () => void;
  finish: (patch: Partial<JobInfo>) => void;
  finished: Promise<JobInfo>;
  lastUpdate: number;
  pendingUpdate?: NodeJS.Timeout;
}

export interface JobManagerOptions {
  /** Jobs per slot class that run at once (default: limits.ts, OODLAB_JOB_LIMITS). */
  limits?: JobLimits;
  /** A cancelled job whose worker has not stopped after this long is stopped by force. */
  cancelGraceMs?: number;
  /** How often queued jobs look for a slot another process freed. */
  pollMs?: number;
}

const active = (i: JobInfo) => i.state === 'running' || i.state === 'queued';

/** Progress pushes per job are limited to a few a second; state changes always go out at once. */
const UPDATE_INTERVAL_MS = 250;

/** One worker thread per job; progress and logs become pushed events; cancel is by id. */
export class JobManager {
  private readonly jobs = new Map<string, Entry>();
  private readonly limits: JobLimits;
  private readonly cancelGraceMs: number;
  private readonly pollMs: number;
  private poll?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly home: string,
    private readonly bus: EventBus,
    opts: JobManagerOptions = {},
  ) {
    this.limits = opts.limits ?? limitsFromEnv();
    this.cancelGraceMs = opts.cancelGraceMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 2000;
  }

  /** Starts the job now, or queues it (state 'queued') while its slot class is at its limit. */
  start(spec: JobSpec): JobInfo {
    const id = randomUUID();
    const slot = slotOf(spec.kind);
    const held = this.claim(slot, id);
    const info: JobInfo = {
      id,
      kind: spec.kind,
      title: spec.title,
      state: held === null ? 'queued' : 'running',
      runId: spec.runId,
      startedAt: new Date().toISOString(),
    };
    let resolveFinished!: (i: JobInfo) => void;
    const finished = new Promise<JobInfo>((r) => (resolveFinished = r));
    const entry: Entry = {
      info,
      slot,
      held: held ?? undefined,
      finished,
      lastUpdate: 0,
      launch: () => this.launch(entry, spec),
      finish: (patch) => {
        if (!active(entry.info)) return;
        clearTimeout(entry.pendingUpdate);
        entry.info = { ...entry.info, ...patch, endedAt: new Date().toISOString() };
        this.bus.emit('job.update', entry.info);
        resolveFinished(entry.info);
        void entry.worker?.terminate();
        entry.held?.release();
        entry.held = undefined;
        this.startQueued();
      },
    };
    this.jobs.set(id, entry);
    if (info.state === 'running') entry.launch();
    this.bus.emit('job.update', info);
    if (info.state === 'queued') this.watchQueue();
    return info;
  }

  /**
   * A machine-wide slot for a job of this class; undefined when the class is unlimited, null when all its slots
   * are taken (by this process or another).
   */
  private claim(slot: SlotClass, jobId: string): Slot | undefined | null {
    const limit = this.limits[slot];
    if (limit === undefined) return undefined;
    const queuedBefore = [...this.jobs.values()].some((e) => e.slot === slot && e.info.state === 'queued');
    if (queuedBefore) return null; // first come, first served
    return takeSlot(this.home, slot, limit, jobId);
  }

  /** Starts queued jobs, oldest first, while their classes have free slots. */
  private startQueued(): void {
    if (this.closing) return;
    const blocked = new Set<SlotClass>();
    for (const e of this.jobs.values()) {
      if (e.info.state !== 'queued' || blocked.has(e.slot)) continue;
      const limit = this.limits[e.slot];
      const held = limit === undefined ? undefined : takeSlot(this.home, e.slot, limit, e.info.id);
      if (held === null) {
        blocked.add(e.slot);
        continue;
      }
      e.held = held;
      e.info = { ...e.info, state: 'running', startedAt: new Date().toISOString() };
      e.launch();
      this.bus.emit('job.update', e.info);
    }
    this.watchQueue();
  }

  /** While jobs wait, look now and then for slots that another process freed. */
  private watchQueue(): void {
    const waiting = [...this.jobs.values()].some((e) => e.info.state === 'queued');
    if (waiting && !this.poll) {
      // Not unref'd: a CLI whose only job is queued must wait for its slot, not exit with its promise unsettled.
      this.poll = setInterval(() => this.startQueued(), this.pollMs);
    } else if (!waiting && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  private launch(entry: Entry, spec: JobSpec): void {
    const id = entry.info.id;
    const input: WorkerInput = { jobId: id, kind: spec.kind, params: spec.params, home: this.home };
    const worker = spawnWorker(input);
    entry.worker = worker;
    const finish = entry.finish;

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
    if (entry.info.state === 'queued') {
      entry.finish({ state: 'cancelled' });
      return true;
    }
    if (entry.info.state !== 'running' || !entry.worker) return false;
    entry.worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    // A step that never checks the flag (a parser stuck in native code) must not keep the job forever.
    setTimeout(() => {
      if (entry.info.state === 'running')
        entry.finish({
          state: 'cancelled',
          error: {
            code: 'cancelled',
            message: `The job did not stop within ${Math.round(this.cancelGraceMs / 1000)} s of being cancelled; its worker was stopped.`,
          },
        });
    }, this.cancelGraceMs).unref();
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
    this.closing = true;
    clearInterval(this.poll);
    for (const e of this.jobs.values()) if (e.info.state === 'queued') e.finish({ state: 'cancelled' });
    const running = [...this.jobs.values()].filter((e) => e.info.state === 'running');
    for (const e of running) e.worker?.postMessage({ type: 'cancel' } satisfies ToWorker);
    const timeout = new Promise((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([Promise.all(running.map((e) => e.finished)), timeout]);
    await Promise.all(running.map((e) => e.worker?.terminate()));
  }
}
