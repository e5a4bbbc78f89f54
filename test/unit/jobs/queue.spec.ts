// Issue 18 item 11: jobs beyond a limit wait in a queue, shown as 'queued', and the limit holds machine-wide
// (across processes' job managers); a cancelled job that does not stop is stopped by force.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../common/contract';
import { JobState } from '../../../common/contract/jobs';
import { EventBus } from '../../../main/events';
import { limitsFromEnv, parseLimits, slotOf } from '../../../main/jobs/limits';
import { JobManager } from '../../../main/jobs/manager';
import { tempDir } from '../../helpers/tmp';

let home: string;
let cleanup: () => Promise<void>;
const managers: JobManager[] = [];
beforeAll(async () => ({ dir: home, cleanup } = await tempDir()));
afterAll(async () => {
  for (const m of managers) await m.shutdown();
  await cleanup();
});

function manager(limits = { selftest: 1 }, extra = {}) {
  const bus = new EventBus();
  const updates: JobInfo[] = [];
  bus.subscribe((channel, payload) => {
    if (channel === 'job.update') updates.push(payload as JobInfo);
  });
  const m = new JobManager(home, bus, { limits, pollMs: 50, ...extra });
  managers.push(m);
  return { m, updates };
}
const quick = { kind: 'selftest' as const, title: 'count', params: { steps: 5, delayMs: 20 } };

describe('job queue', () => {
  it('runs one at a time past the limit, showing the others as queued, in order', async () => {
    const { m, updates } = manager();
    const jobs = [m.start(quick), m.start(quick), m.start(quick)];
    expect(jobs.map((j) => j.state)).toEqual(['running', 'queued', 'queued']);
    expect(JobState.parse('queued')).toBe('queued');
    const ends = await Promise.all(jobs.map((j) => m.wait(j.id)));
    expect(ends.map((e) => e.state)).toEqual(['done', 'done', 'done']);
    // Never two running at once: replay the pushed states.
    const state = new Map<string, string>();
    for (const u of updates) {
      state.set(u.id, u.state);
      expect([...state.values()].filter((s) => s === 'running').length).toBeLessThanOrEqual(1);
    }
    const startOrder = updates.filter((u) => u.state === 'running' && !u.progress).map((u) => u.id);
    expect([...new Set(startOrder)]).toEqual(jobs.map((j) => j.id));
  });

  it('cancels a queued job at once, without ever running it', async () => {
    const { m, updates } = manager();
    const a = m.start({ ...quick, params: { steps: 20, delayMs: 20 } });
    const b = m.start(quick);
    expect(m.cancel(b.id)).toBe(true);
    expect((await m.wait(b.id)).state).toBe('cancelled');
    expect(updates.some((u) => u.id === b.id && u.state === 'running')).toBe(false);
    expect((await m.wait(a.id)).state).toBe('done');
  });

  it('holds the limit across two managers of one data folder (app and CLI)', async () => {
    const one = manager();
    const two = manager();
    const a = one.m.start({ ...quick, params: { steps: 10, delayMs: 30 } });
    const b = two.m.start(quick);
    expect([a.state, b.state]).toEqual(['running', 'queued']);
    const endA = await one.m.wait(a.id);
    const endB = await two.m.wait(b.id);
    expect(endB.state).toBe('done');
    expect(
      Date.parse(two.updates.find((u) => u.id === b.id && u.state === 'running')!.startedAt),
    ).toBeGreaterThanOrEqual(Date.parse(endA.endedAt!) - 5);
  });

  it('frees a slot whose owner died', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    const dir = join(home, 'jobs', 'slots', hostname());
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'selftest-0.lock'),
      JSON.stringify({ pid: child.pid, procStart: null, job: 'x' }),
    );
    const { m } = manager();
    const j = m.start(quick);
    expect(j.state).toBe('running');
    await m.wait(j.id);
  });

  it('stops by force a cancelled job that does not stop', async () => {
    const { m } = manager({ selftest: 5 }, { cancelGraceMs: 300 });
    const j = m.start({ kind: 'selftest', title: 'deaf', params: { steps: 2, delayMs: 60_000, deaf: true } });
    await new Promise((r) => setTimeout(r, 200));
    m.cancel(j.id);
    const end = await m.wait(j.id);
    expect(end).toMatchObject({
      state: 'cancelled',
      error: { message: expect.stringMatching(/did not stop within 0 s|did not stop within/) },
    });
  });

  it('has one training and one analysis by default, configurable, and refuses a typo', () => {
    expect(limitsFromEnv({})).toEqual({ training: 1, analysis: 1 });
    expect(limitsFromEnv({ OODLAB_JOB_LIMITS: 'analysis=3' })).toEqual({ training: 1, analysis: 3 });
    expect(limitsFromEnv({ SLURM_JOB_ID: '7' })).toEqual({}); // SLURM schedules its tasks itself
    expect(limitsFromEnv({ SLURM_JOB_ID: '7', OODLAB_JOB_LIMITS: 'training=2' })).toEqual({
      training: 2,
      analysis: 1,
    });
    expect(() => parseLimits('trainig=x')).toThrow(/not CLASS=N/);
    expect(() => parseLimits('training=0')).toThrow(/N >= 1/);
    expect(
      ['train', 'ood', 'nc', 'features', 'export', 'datasets.download'].map((k) => slotOf(k as never)),
    ).toEqual(['training', 'analysis', 'analysis', 'analysis', 'analysis', 'datasets.download']);
  });
});
