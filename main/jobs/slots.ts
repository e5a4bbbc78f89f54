// Machine-wide job slots, so the limits of limits.ts hold across processes (the app, browser mode and each CLI
// command have their own job manager). A slot is a file <home>/jobs/slots/<host>/<class>-<k>.lock created with
// O_EXCL and holding the owner's pid and process start time, like a run's lock (main/engine/runs/lock.ts); a
// slot whose owner is gone is free again. Synchronous on purpose: a handful of tiny files, checked when a job is
// submitted or ends, and the manager's start() answers at once.
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processIsAlive } from '../engine/runs/liveness';
import { processStart } from '../engine/runs/lock';

interface SlotOwner {
  pid: number;
  procStart: string | null;
  job: string;
}

const GATE_STALE_MS = 30_000;

function tryCreate(path: string, owner: SlotOwner): boolean {
  try {
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, JSON.stringify(owner));
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function read(path: string): SlotOwner | null | 'gone' {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SlotOwner;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : null; // null: unreadable, i.e. stale
  }
}

function stale(o: SlotOwner | null): boolean {
  if (!o || !o.pid) return true;
  if (!processIsAlive(o.pid)) return true;
  const start = processStart(o.pid);
  return o.procStart !== null && start !== null && start !== o.procStart;
}

/** Frees a stale slot, one taker at a time (a gate file), so two takers never both hold it. */
function takeOver(path: string, seen: SlotOwner | null): void {
  const gate = `${path}.gate`;
  if (!tryCreate(gate, { pid: process.pid, procStart: processStart(process.pid), job: 'gate' })) {
    const age = Date.now() - (statSync(gate, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > GATE_STALE_MS) rmSync(gate, { force: true });
    return;
  }
  try {
    const now = read(path);
    if (now !== 'gone' && JSON.stringify(now) === JSON.stringify(seen)) {
      const aside = `${path}.stale-${process.pid}`;
      renameSync(path, aside);
      rmSync(aside, { force: true });
    }
  } finally {
    rmSync(gate, { force: true });
  }
}

export interface Slot {
  release(): void;
}

/** Takes a free slot of `name` (limit slots in all), or returns null when all are held by living processes. */
export function takeSlot(home: string, name: string, limit: number, job: string): Slot | null {
  const dir = join(home, 'jobs', 'slots', hostname());
  mkdirSync(dir, { recursive: true });
  const owner: SlotOwner = { pid: process.pid, procStart: processStart(process.pid), job };
  for (let k = 0; k < limit; k++) {
    const path = join(dir, `${name}-${k}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (tryCreate(path, owner)) return { release: () => releaseIfOurs(path, job) };
      const seen = read(path);
      if (seen === 'gone') continue;
      if (!stale(seen)) break;
      takeOver(path, seen);
    }
  }
  return null;
}

function releaseIfOurs(path: string, job: string): void {
  const cur = read(path);
  if (cur && cur !== 'gone' && cur.pid === process.pid && cur.job === job) rmSync(path, { force: true });
}
