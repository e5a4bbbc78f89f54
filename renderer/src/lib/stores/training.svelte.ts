// Live training curves per run, fed by 'train.batch' and 'train.epoch'. The arrays are replaced, not mutated
// ($state.raw in a class, which Svelte does not proxy), so a chart redraws once per event without deep proxies over
// thousands of points.
import type { EventOf } from '../../../../common/contract';
import type { HistoryEntry } from '../../../../common/contract/train';

export interface BatchPoint {
  /** Fractional epoch: epoch - 1 + batch / batches. */
  x: number;
  loss: number;
  acc: number;
  lr: number;
}

export class LiveRun {
  batches = $state.raw<BatchPoint[]>([]);
  epochs = $state.raw<HistoryEntry[]>([]);
  last = $state.raw<EventOf<'train.batch'> | null>(null);
  /** Events seen since the page loaded: tests and the UI can tell live data from a loaded history. */
  updates = $state(0);
}

/** Points kept per run; beyond it every other point is dropped, so the curve keeps its shape. */
const MAX_POINTS = 4000;

export const training = $state<Record<string, LiveRun>>({});

function live(runId: string): LiveRun {
  return (training[runId] ??= new LiveRun());
}

export function onBatch(p: EventOf<'train.batch'>): void {
  const r = live(p.runId);
  let pts = r.batches;
  if (pts.length >= MAX_POINTS) pts = pts.filter((_, i) => i % 2 === 1);
  r.batches = [...pts, { x: p.epoch - 1 + p.batch / p.batches, loss: p.loss, acc: p.acc, lr: p.lr }];
  r.last = p;
  r.updates++;
}

export function onEpoch(p: EventOf<'train.epoch'>): void {
  const r = live(p.runId);
  r.epochs = [...r.epochs.filter((e) => e.epoch < p.entry.epoch), p.entry];
  r.updates++;
}

/** A run opened after the fact (or after a restart): its saved history, unless live data is already here. */
export function seedHistory(runId: string, entries: HistoryEntry[]): void {
  const r = live(runId);
  if (r.epochs.length < entries.length) r.epochs = entries;
}
