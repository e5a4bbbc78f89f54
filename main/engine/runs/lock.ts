// One trainer per run, across processes: the CLI, browser mode and the app each check a manifest and then rewrite it,
// and two processes doing that at once both trained the same run (issue 18). The lock is a file runs/<id>/.lock
// created with O_EXCL (exactly one creator wins, on local disks and NFS v3+) holding the owner's pid, host and process
// start time. A lock is stale when its owner is gone: same host and the pid is dead, or the pid now belongs to
// another process (its start time differs); another host's lock is stale when not refreshed for STALE_MS.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { OodlabError } from '../../../common/contract/errors';
import { processIsAlive, STALE_MS } from './liveness';
import { runDir } from './store';

export interface LockOwner {
  pid: number;
  host: string;
  /** The process's start time as the OS counts it (Linux: clock ticks since boot), null where unknown. */
  procStart: string | null;
  since: string;
  what: string;
}

export interface RunLock {
  path: string;
  /** Refreshes the lock's time (for readers on other hosts). */
  touch(): Promise<void>;
  release(): Promise<void>;
}

/** A takeover that has not finished in this time was abandoned by a process that died during it. */
const TAKEOVER_STALE_MS = 30_000;

/** The start time of a process, from /proc (Linux); null elsewhere or when it is gone. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export const lockPath = (home: string, id: string) => join(runDir(home, id), '.lock');

export async function readLock(path: string): Promise<LockOwner | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { pid: 0, host: '', procStart: null, since: '', what: 'unreadable' }; // half-written by a crash: stale
  }
}

/** Whether the process that wrote this lock is gone. */
export async function isStale(owner: LockOwner, path: string, now = Date.now()): Promise<boolean> {
  if (!owner.pid || !owner.host) return true;
  if (owner.host === hostname()) {
    if (!processIsAlive(owner.pid)) return true;
    const start = processStart(owner.pid);
    return owner.procStart !== null && start !== null && start !== owner.procStart;
  }
  const age =
    now -
    (await stat(path).then(
      (s) => s.mtimeMs,
      () => 0,
    ));
  return age > STALE_MS;
}

async function createExclusive(path: string, owner: LockOwner): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(JSON.stringify(owner));
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new OodlabError('not_found', `Run folder ${path} not found.`);
    throw err;
  }
}

/** Removes a stale lock, one taker at a time (so two takers cannot each delete the other's fresh lock). */
async function takeOver(path: string, seen: LockOwner): Promise<boolean> {
  const gate = `${path}.takeover`;
  const me: LockOwner = {
    ...seen,
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    what: 'takeover',
  };
  if (!(await createExclusive(gate, me))) {
    const age =
      Date.now() -
      (await stat(gate).then(
        (s) => s.mtimeMs,
        () => Date.now(),
      ));
    if (age > TAKEOVER_STALE_MS) await rm(gate, { force: true });
    return false; // someone else is taking over; the caller retries
  }
  try {
    const now = await readLock(path);
    if (now && JSON.stringify(now) === JSON.stringify(seen)) {
      const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
      await rename(path, aside);
      await rm(aside, { force: true });
      return true;
    }
    return false;
  } finally {
    await rm(gate, { force: true });
  }
}

function describe(owner: LockOwner): string {
  const since = owner.since ? ` since ${owner.since}` : '';
  return `process ${owner.pid} on ${owner.host}${since} (${owner.what})`;
}

/**
 * Takes the run's lock or throws 'conflict' naming its holder. `onTakeOver` hears when a stale lock (its owner gone)
 * was replaced.
 */
export function acquireRunLock(
  home: string,
  id: string,
  what: string,
  onTakeOver?: (stale: LockOwner) => void,
): Promise<RunLock> {
  return acquireFileLock(lockPath(home, id), `Run ${id}`, what, onTakeOver);
}

/** The same lock for any other resource (e.g. one data set's download): `subject` names it in the message. */
export async function acquireFileLock(
  path: string,
  subject: string,
  what: string,
  onTakeOver?: (stale: LockOwner) => void,
): Promise<RunLock> {
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    procStart: processStart(process.pid),
    since: new Date().toISOString(),
    what,
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path, owner)) return heldLock(path, owner);
    const seen = await readLock(path);
    if (seen && !(await isStale(seen, path)))
      throw new OodlabError('conflict', `${subject} is in use by ${describe(seen)}.`);
    if (seen && (await takeOver(path, seen))) onTakeOver?.(seen);
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 50));
  }
  const seen = await readLock(path);
  throw new OodlabError('conflict', `${subject} is in use${seen ? ` by ${describe(seen)}` : ''}.`);
}

function heldLock(path: string, owner: LockOwner): RunLock {
  let released = false;
  return {
    path,
    async touch() {
      const now = new Date();
      if (!released) await utimes(path, now, now).catch(() => undefined);
    },
    async release() {
      if (released) return;
      released = true;
      // Only our own lock: never remove one a taker wrote after deciding ours was stale.
      const cur = await readLock(path);
      if (cur && cur.pid === owner.pid && cur.host === owner.host && cur.since === owner.since)
        await rm(path, { force: true });
    },
  };
}

/** The living holder of a run's lock, if any (e.g. to refuse deleting a run being trained). */
export async function runLockHolder(home: string, id: string): Promise<LockOwner | null> {
  const path = lockPath(home, id);
  const seen = await readLock(path);
  return seen && !(await isStale(seen, path)) ? seen : null;
}
