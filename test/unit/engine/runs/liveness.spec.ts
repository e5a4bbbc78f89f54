import { describe, expect, it } from 'vitest';
import type { RunManifest } from '../../../../common/contract/runs';
import { effectiveState, STALE_MS, type LivenessProbe } from '../../../../main/engine/runs/liveness';

const now = Date.parse('2026-11-26T21:00:00Z');
const manifest = (patch: Partial<RunManifest>): RunManifest => ({
  id: 'r1',
  name: 'smoke',
  state: 'running',
  createdAt: '2026-11-26T20:00:00Z',
  updatedAt: '2026-11-26T20:59:00Z',
  epochs: 3,
  epochsDone: 1,
  bestEpoch: 1,
  bestTestAcc: 0.5,
  owner: { pid: 4242, host: 'box', heartbeatAt: new Date(now - 10_000).toISOString() },
  ...patch,
});
const probe = (p: Partial<LivenessProbe> = {}): LivenessProbe => ({
  now,
  host: 'box',
  pid: 1000,
  isAlive: () => true,
  activeRunIds: new Set(),
  ...p,
});

describe('effectiveState', () => {
  it('keeps every state but running as written', () => {
    for (const state of ['done', 'cancelled', 'failed'] as const)
      expect(effectiveState(manifest({ state }), probe({ isAlive: () => false }))).toBe(state);
  });

  it('running with a live owner and a fresh heartbeat stays running', () => {
    expect(effectiveState(manifest({}), probe())).toBe('running');
  });

  it('running whose owner process is gone is interrupted', () => {
    expect(effectiveState(manifest({}), probe({ isAlive: (pid) => pid !== 4242 }))).toBe('interrupted');
  });

  it('running owned by this process but by none of its jobs is interrupted; by one of its jobs, running', () => {
    const mine = manifest({ owner: { pid: 1000, host: 'box', heartbeatAt: new Date(now).toISOString() } });
    expect(effectiveState(mine, probe())).toBe('interrupted');
    expect(effectiveState(mine, probe({ activeRunIds: new Set(['r1']) }))).toBe('running');
  });

  it('a stale heartbeat means interrupted even if the pid was reused', () => {
    const old = new Date(now - STALE_MS - 1).toISOString();
    expect(effectiveState(manifest({ owner: { pid: 4242, host: 'box', heartbeatAt: old } }), probe())).toBe(
      'interrupted',
    );
  });

  it('another host is judged by its heartbeat alone', () => {
    const fresh = manifest({
      owner: { pid: 4242, host: 'other', heartbeatAt: new Date(now - 1000).toISOString() },
    });
    expect(effectiveState(fresh, probe({ isAlive: () => false }))).toBe('running');
    const stale = manifest({
      owner: { pid: 4242, host: 'other', heartbeatAt: new Date(now - STALE_MS - 1).toISOString() },
    });
    expect(effectiveState(stale, probe())).toBe('interrupted');
  });

  it('running without an owner is interrupted', () => {
    expect(effectiveState(manifest({ owner: undefined }), probe())).toBe('interrupted');
  });
});
