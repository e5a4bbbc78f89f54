// The one job follower of the CLI (main/cli/follow-job.ts), driven by events on a real event bus: what a log (no
// terminal) shows of a job's progress, its log and its other events, and where it goes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobInfo, JobProgress } from '../../../common/contract/jobs';
import { EventBus } from '../../../main/events';
import { clientOf, type CliRuntime } from '../../../main/cli/client';
import { followJob, progressLine, QUEUED } from '../../../main/cli/follow-job';
import type { CliIO } from '../../../main/cli/io';

const job = (state: JobInfo['state'], progress?: JobProgress): JobInfo => ({
  id: 'j1',
  kind: 'export',
  title: 'Export',
  state,
  startedAt: '2026-01-01T00:00:00Z',
  progress,
});

/** A runtime whose job ends when the test says so; the bus is the one the client listens on. */
function fake() {
  const bus = new EventBus();
  let end!: (j: JobInfo) => void;
  const ended = new Promise<JobInfo>((r) => (end = r));
  const call = vi.fn(async () => ({ result: { cancelled: true } }));
  const rt = { api: clientOf({ bus, api: { call } }), jobs: { wait: () => ended } } as unknown as CliRuntime;
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), tty: false };
  return { bus, rt, io, out, err, call, end };
}

afterEach(() => vi.useRealTimers());

describe('followJob without a terminal', () => {
  it('prints a progress line when the step changes or every plainEveryMs, with bytes and eta', async () => {
    vi.useFakeTimers({ now: 0 });
    const f = fake();
    const done = followJob(f.rt, f.io, job('running'), { label: 'export ', plainEveryMs: 10_000 });
    const update = (p: JobProgress) => f.bus.emit('job.update', job('running', p));
    update({ fraction: 0.25, message: 'Figure 1/4' });
    update({ fraction: 0.5, message: 'Figure 2/4' }); // same step, too soon: nothing
    vi.setSystemTime(10_000);
    update({ fraction: 0.75, message: 'Figure 3/4', etaSeconds: 65 });
    update({
      fraction: 0.9,
      message: 'Writing summary.json',
      detail: { bytes: 1536, total: 3072, rate: 1024 },
    });
    f.bus.emit('job.update', { ...job('running', { fraction: 1, message: 'other' }), id: 'j2' }); // another job
    f.end(job('done'));
    expect((await done).state).toBe('done');
    expect(f.out).toEqual([
      'export [######..................]  25%  Figure 1/4',
      'export [##################......]  75%  Figure 3/4  eta 1m05s',
      'export [######################..]  90%  Writing summary.json  1.5 KiB/3.0 KiB 1.0 KiB/s',
    ]);
    expect(f.err).toEqual([]);
  });

  it('says when the job waits for a slot, from the job it is given and from later updates', async () => {
    const f = fake();
    const done = followJob(f.rt, f.io, job('queued'), { label: '  ood ' });
    f.end(job('done'));
    await done;
    expect(f.out).toEqual([`  ood ${QUEUED}`]);
  });

  it('shows the log lines and other events the command asks for, on stderr when asked', async () => {
    const f = fake();
    const done = followJob(f.rt, f.io, job('running'), {
      stderr: true,
      log: (l) => (l.level === 'info' ? undefined : `${l.level}: ${l.message}`),
      lines: (api, print) =>
        api.on('nc.epoch', (e) => {
          if (e.jobId === 'j1') print(`epoch ${e.epoch}`);
        }),
    });
    const log = (jobId: string, level: 'info' | 'warn', message: string) =>
      f.bus.emit('job.log', { jobId, level, message, time: '' });
    log('j1', 'info', 'hidden');
    log('j1', 'warn', 'shown');
    log('j2', 'warn', 'another job');
    f.bus.emit('nc.epoch', { jobId: 'j1', runId: 'r', epoch: 3, metrics: {} as never });
    f.end(job('done'));
    await done;
    f.bus.emit('nc.epoch', { jobId: 'j1', runId: 'r', epoch: 4, metrics: {} as never }); // after the end: unsubscribed
    expect(f.err).toEqual(['warn: shown', 'epoch 3']);
    expect(f.out).toEqual([]);
  });

  it('Ctrl-C cancels the job when asked, and the handler is gone afterwards', async () => {
    const f = fake();
    const before = process.listenerCount('SIGINT');
    const done = followJob(f.rt, f.io, job('running'), { cancelOnCtrlC: true });
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    // Ours is the newest listener; calling it alone leaves the test runner's own handlers out of it.
    (process.listeners('SIGINT').at(-1) as (s: NodeJS.Signals) => void)('SIGINT');
    f.end(job('cancelled'));
    expect((await done).state).toBe('cancelled');
    expect(f.call).toHaveBeenCalledWith('jobs.cancel', { id: 'j1' });
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('progressLine', () => {
  it('a bar of the fraction, the message, then bytes and eta when known', () => {
    expect(progressLine({ fraction: null, message: 'Scanning' })).toBe(
      '[........................]   0%  Scanning',
    );
  });
});
