// Turns the loop's callbacks into what leaves the worker: job progress with an ETA, at most 4 'train.batch' events a
// second, and manifest updates, including a timed heartbeat (through data loading, long evaluations and checkpoint
// writes alike) so other processes can tell a live run from a dead one. Manifest writes are read-modify-write, so
// they go through one queue: a heartbeat can never write back a stale epoch count.
import type { RunManifest } from '../../../common/contract/runs';
import type { HistoryEntry } from '../../../common/contract/train';
import type { TaskContext } from '../task';
import { HEARTBEAT_MS } from '../runs/liveness';
import { ownerStamp, updateManifest } from '../runs/store';
import type { BatchReport } from './epoch';
import type { LoopState } from './loop';

export const BATCH_EVENT_MS = 250;

export class TrainReporter {
  private lastEvent = -Infinity;
  private writes: Promise<unknown> = Promise.resolve();
  private beat?: NodeJS.Timeout;
  private startedAt = Date.now();
  private startFraction = 0;

  constructor(
    private readonly ctx: TaskContext,
    private readonly runId: string,
    private readonly epochs: number,
  ) {}

  /** Training starts (or resumes) here: the ETA is measured from this point. */
  begin(epochsDone: number): void {
    this.startedAt = Date.now();
    this.startFraction = epochsDone / this.epochs;
  }

  /** Writes a manifest patch (after any write already queued) and tells the UI. */
  manifest(patch: Partial<RunManifest>): Promise<RunManifest> {
    const next = this.writes.then(async () => {
      const m = await updateManifest(this.ctx.home, this.runId, patch);
      this.ctx.emit('run.update', m);
      return m;
    });
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Refreshes the owner's heartbeat every HEARTBEAT_MS until stopHeartbeat. */
  startHeartbeat(): void {
    this.beat = setInterval(() => {
      this.manifest({ owner: ownerStamp() }).catch((err: unknown) =>
        this.ctx.log('warn', `Heartbeat not written: ${err instanceof Error ? err.message : String(err)}`),
      );
    }, HEARTBEAT_MS);
  }

  stopHeartbeat(): void {
    clearInterval(this.beat);
  }

  batch(r: BatchReport): void {
    const fraction = (r.epoch - 1 + r.batch / r.batches) / this.epochs;
    const done = fraction - this.startFraction;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    this.ctx.progress({
      fraction,
      message: `epoch ${r.epoch}/${this.epochs}  batch ${r.batch}/${r.batches}  loss ${r.loss.toFixed(3)}`,
      etaSeconds: done > 0 ? (elapsed * (1 - fraction)) / done : null,
      detail: {
        epoch: r.epoch,
        batch: r.batch,
        batches: r.batches,
        loss: r.loss,
        acc: r.acc,
        lr: r.lr,
        imagesPerSecond: r.imagesPerSecond,
      },
    });
    const now = Date.now();
    if (now - this.lastEvent >= BATCH_EVENT_MS) {
      this.lastEvent = now;
      this.ctx.emit('train.batch', { runId: this.runId, ...r });
    }
  }

  async epoch(entry: HistoryEntry, s: LoopState): Promise<void> {
    await this.manifest({
      epochsDone: s.epochsDone,
      bestEpoch: s.bestEpoch,
      bestTestAcc: s.bestTestAcc,
      ...(entry.valAcc !== undefined
        ? { bestValAcc: s.bestScore, bestChosenBy: 'validation' as const }
        : { bestChosenBy: 'test' as const }),
      owner: ownerStamp(),
    });
    this.ctx.emit('train.epoch', {
      runId: this.runId,
      entry,
      bestEpoch: s.bestEpoch,
      bestTestAcc: s.bestTestAcc,
    });
    this.ctx.log(
      'info',
      `epoch ${entry.epoch}/${this.epochs}: train loss ${entry.trainLoss.toFixed(4)} acc ${(entry.trainAcc * 100).toFixed(2)}%, ` +
        (entry.valAcc !== undefined ? `val acc ${(entry.valAcc * 100).toFixed(2)}%, ` : '') +
        `test loss ${entry.testLoss.toFixed(4)} acc ${(entry.testAcc * 100).toFixed(2)}%, ${entry.imagesPerSecond.toFixed(1)} img/s`,
    );
  }
}
