import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../common/contract/jobs';
import type { RunDetail, RunManifest } from '../../common/contract/runs';
import { TrainingHistory, type HistoryEntry } from '../../common/contract/train';
import { presetConfig } from '../../common/train/presets';
import { startTrainJob } from '../../main/api/train-jobs';
import { acquireRunLock } from '../../main/engine/runs/lock';
import { createRun, readManifest, runFiles } from '../../main/engine/runs/store';
import { stepsPerEpoch, trainValSplit } from '../../main/engine/train/order';
import { learningRate } from '../../main/engine/train/schedule';
import { createRuntime, type Runtime } from '../../main/runtime';
import { tempDir } from '../helpers/tmp';

// The smoke preset end to end in worker threads on wasm: training, run folder, cancel + resume, crash handling.
let rt: Runtime;
let cleanup: () => Promise<void>;
const epochEvents: { runId: string; entry: HistoryEntry }[] = [];
const batchTimes = new Map<string, number[]>();

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  rt = createRuntime({ mode: 'browser', home: t.dir });
  rt.bus.subscribe((channel, payload) => {
    if (channel === 'train.epoch') epochEvents.push(payload as (typeof epochEvents)[number]);
    if (channel === 'train.batch') {
      const id = (payload as { runId: string }).runId;
      batchTimes.set(id, [...(batchTimes.get(id) ?? []), Date.now()]);
    }
  });
});
afterAll(async () => {
  await rt.jobs.shutdown();
  await cleanup();
});

const smoke = { preset: 'smoke', overrides: { backend: 'wasm' } };
const config = presetConfig('smoke', smoke.overrides);

async function start(req: unknown): Promise<{ runId: string; job: JobInfo }> {
  const res = await rt.api.call('train.start', req);
  expect(res.error).toBeUndefined();
  return res.result as { runId: string; job: JobInfo };
}
const detail = async (id: string) => (await rt.api.call('runs.get', { id })).result as RunDetail;
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

let straight: RunDetail;

/** Starts a smoke run, cancels it once its first epoch is saved (part-way through epoch 2), then resumes it. */
async function cancelThenResume() {
  const { runId, job } = await start(smoke);
  await new Promise<void>((resolve) => {
    const off = rt.bus.subscribe((channel, payload) => {
      if (channel === 'train.epoch' && (payload as { runId: string }).runId === runId) {
        off();
        resolve();
      }
    });
  });
  const cancel = await rt.api.call('jobs.cancel', { id: job.id });
  const cancelledJob = await rt.jobs.wait(job.id);
  const stopped = await detail(runId);
  const listed = ((await rt.api.call('runs.list', {})).result as RunManifest[]).find((r) => r.id === runId);
  const resumed = await rt.api.call('train.resume', { runId });
  const end = resumed.error ? undefined : await rt.jobs.wait((resumed.result as { job: JobInfo }).job.id);
  return { runId, cancel, cancelledJob, stopped, listed, resumed, end, final: await detail(runId) };
}
let interrupted: ReturnType<typeof cancelThenResume>;

describe('training in a worker', () => {
  it('the smoke preset learns far above chance and writes the run folder', async () => {
    const { runId, job } = await start(smoke);
    expect(job).toMatchObject({ kind: 'train', state: 'running', runId });
    // a second run trains at the same time in its own worker (checked in the next test)
    interrupted = cancelThenResume();
    const end = await rt.jobs.wait(job.id);
    expect(end.error).toBeUndefined();
    expect(end.state).toBe('done');

    straight = await detail(runId);
    const { manifest, history, checkpoints } = straight;
    expect(manifest).toMatchObject({ state: 'done', epochs: 4, epochsDone: 4, backend: { name: 'wasm' } });
    expect(manifest.bestTestAcc).toBeGreaterThanOrEqual(0.6); // chance is 0.25 on 4 classes
    expect(checkpoints).toEqual(['epoch-001', 'epoch-002', 'epoch-003', 'epoch-004', 'best', 'last']);
    for (const name of checkpoints)
      expect(await exists(join(runFiles(rt.ctx.home, runId).checkpoints, name))).toBe(true);

    const h = TrainingHistory.parse(history);
    expect(h.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    // best is chosen on the validation split held out of training
    const score = (e: (typeof h.epochs)[number]) => e.valAcc ?? e.testAcc;
    const best = h.epochs.reduce((a, b) => (score(b) > score(a) ? b : a));
    expect(manifest).toMatchObject({ bestEpoch: best.epoch, bestTestAcc: best.testAcc });
    // the lr recorded is the schedule's value at each epoch's last step
    const steps = stepsPerEpoch(config, trainValSplit(config, 4 * 64).train.length);
    for (const e of h.epochs) expect(e.lr).toBeCloseTo(learningRate(config, e.epoch * steps - 1, steps), 10);
    expect(h.epochs.at(-1)!.trainLoss).toBeLessThan(h.epochs[0].trainLoss);
    expect(epochEvents.filter((e) => e.runId === runId).map((e) => e.entry)).toEqual(h.epochs);

    // per-batch events are throttled to <= 4 a second
    const times = batchTimes.get(runId) ?? [];
    expect(times.length).toBeGreaterThan(0);
    const seconds = (times.at(-1)! - times[0]) / 1000;
    expect(times.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 2);
  });

  it('a cancelled run stays resumable and, resumed, ends with the same continuous history', async () => {
    const r = await interrupted;
    expect(r.cancel.result).toEqual({ cancelled: true });
    expect(r.cancelledJob.state).toBe('cancelled');
    expect(r.stopped.manifest.state).toBe('cancelled');
    expect(r.listed?.state).toBe('cancelled');
    expect(r.stopped.manifest.epochsDone).toBeGreaterThanOrEqual(1);
    expect(r.stopped.manifest.epochsDone).toBeLessThan(4);
    expect(r.stopped.history!.epochs.length).toBe(r.stopped.manifest.epochsDone);
    expect(r.stopped.checkpoints).toContain('last');

    expect(r.resumed.error).toBeUndefined();
    expect(r.end?.state).toBe('done');
    const d = r.final;
    expect(d.manifest).toMatchObject({ state: 'done', epochsDone: 4 });
    expect(d.history!.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(d.checkpoints).toEqual(['epoch-001', 'epoch-002', 'epoch-003', 'epoch-004', 'best', 'last']);
    // Same seed, same data order, weights + momentum + BN statistics restored: the same curve as the uninterrupted run.
    d.history!.epochs.forEach((e, i) => {
      expect(e.trainLoss).toBeCloseTo(straight.history!.epochs[i].trainLoss, 3);
      expect(e.testAcc).toBeCloseTo(straight.history!.epochs[i].testAcc, 6);
    });
  });

  it('a worker that dies marks its job and run failed, and the app keeps serving', async () => {
    const m = await createRun(
      rt.ctx.home,
      'crash',
      presetConfig('smoke', {
        ...smoke.overrides,
        epochs: 2,
        synthetic: { trainPerClass: 16, testPerClass: 4 },
      }),
    );
    const lock = await acquireRunLock(rt.ctx.home, m.id, 'train');
    const job = startTrainJob(rt.ctx, { runId: m.id, fault: { afterEpoch: 1, kind: 'exit' } }, 'crash', lock);
    const end = await rt.jobs.wait(job.id);
    expect(end.state).toBe('failed');
    expect(end.error?.message).toMatch(/stopped unexpectedly/);
    const info = await rt.api.call('system.info', {});
    expect(info.error).toBeUndefined();
    // the main side settles the manifest the dead worker could not write
    await expect.poll(async () => (await readManifest(rt.ctx.home, m.id)).state).toBe('failed');
    const d = await detail(m.id);
    expect(d.manifest).toMatchObject({ state: 'failed', epochsDone: 1 });
    expect(d.checkpoints).toContain('last'); // the last good epoch is kept for a resume
  });
});
