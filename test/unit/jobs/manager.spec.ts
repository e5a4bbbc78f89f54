import { beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../common/contract';
import type { Runtime } from '../../../main/runtime';
import { useRuntime } from '../../helpers/api';

const app = useRuntime();
let rt: Runtime;
const updates: JobInfo[] = [];

beforeAll(() => {
  rt = app.rt;
  rt.bus.subscribe((channel, payload) => {
    if (channel === 'job.update') updates.push(payload as JobInfo);
  });
});

describe('JobManager', () => {
  it('runs a job in a worker, pushes throttled progress and ends done with its result', async () => {
    const job = rt.jobs.start({ kind: 'selftest', title: 'count', params: { steps: 40, delayMs: 10 } });
    expect(job.state).toBe('running');
    const end = await rt.jobs.wait(job.id);
    expect(end).toMatchObject({ state: 'done', result: { steps: 40 } });
    const mine = updates.filter((u) => u.id === job.id);
    // 40 progress messages over ~0.4 s become a handful of pushes (throttled), plus start and end.
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.length).toBeLessThan(20);
    expect(mine.at(-1)?.state).toBe('done');
  });

  it('cancels by id at the next step', async () => {
    const job = rt.jobs.start({ kind: 'selftest', title: 'slow', params: { steps: 1000, delayMs: 20 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(rt.jobs.cancel(job.id)).toBe(true);
    const end = await rt.jobs.wait(job.id);
    expect(end.state).toBe('cancelled');
    expect(String(end.result)).toMatch(/^Cancelled at step \d+ of 1000\.$/);
    expect(rt.jobs.cancel(job.id)).toBe(false);
  });

  it.each(['throw', 'exit'] as const)(
    'marks a job failed when its worker crashes (%s) and the API keeps answering',
    async (crash) => {
      const job = rt.jobs.start({ kind: 'selftest', title: 'crash', params: { steps: 6, crash } });
      const end = await rt.jobs.wait(job.id);
      expect(end.state).toBe('failed');
      expect(end.error?.message).toMatch(
        crash === 'throw' ? /Injected failure/ : /stopped unexpectedly \(exit code 3\)/,
      );
      const info = await rt.api.call('jobs.list', {});
      expect(info.error).toBeUndefined();
      expect((info.result as JobInfo[]).find((j) => j.id === job.id)?.state).toBe('failed');
    },
  );

  it('reports unknown job ids as not_found through the API', async () => {
    const res = await rt.api.call('jobs.cancel', { id: 'no-such-job' });
    expect(res.error).toEqual({ code: 'not_found', message: 'No job with id no-such-job.' });
  });
});
