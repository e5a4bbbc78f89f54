// A manifest says 'running' until its owner writes another state; if the owner died (app killed, power lost) nobody
// will. The owner therefore stamps its pid, host and a heartbeat; readers show a 'running' manifest whose owner is
// gone as 'interrupted', which can be resumed.
import { hostname } from 'node:os';
import type { RunManifest, RunState } from '../../../common/contract/runs';

/** The owner refreshes its heartbeat at least this often while training. */
export const HEARTBEAT_MS = 20_000;
/** A heartbeat older than this means the owner stopped (several missed beats, generous for a busy machine). */
export const STALE_MS = 5 * 60_000;

export interface LivenessProbe {
  now: number;
  host: string;
  pid: number;
  /** Whether a process with this id exists on this host. */
  isAlive(pid: number): boolean;
  /** Runs that a job of THIS process is running now: the surest answer for runs owned by this process. */
  activeRunIds: ReadonlySet<string>;
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function localProbe(activeRunIds: ReadonlySet<string>): LivenessProbe {
  return { now: Date.now(), host: hostname(), pid: process.pid, isAlive: processIsAlive, activeRunIds };
}

/** The state to show for a manifest: its own, except 'running' without a living owner, which is 'interrupted'. */
export function effectiveState(m: RunManifest, probe: LivenessProbe): RunState {
  if (m.state !== 'running') return m.state;
  if (probe.activeRunIds.has(m.id)) return 'running';
  const owner = m.owner;
  if (!owner) return 'interrupted';
  if (owner.host === probe.host) {
    if (owner.pid === probe.pid) return 'interrupted'; // ours, but none of our jobs runs it
    if (!probe.isAlive(owner.pid)) return 'interrupted';
  }
  const age = probe.now - Date.parse(owner.heartbeatAt);
  return Number.isFinite(age) && age <= STALE_MS ? 'running' : 'interrupted';
}
