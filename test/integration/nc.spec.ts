import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../common/contract/jobs';
import { NcResults, type NcMetrics } from '../../common/contract/nc';
import { analyze } from '../../main/cli/commands/analyze';
import { createRuntime, type Runtime } from '../../main/runtime';
import { tempDir } from '../helpers/tmp';

// Neural Collapse end to end: a smoke run trained in a worker, then analysed through the API as an 'nc' job
// (epochs + layers, live 'nc.epoch' events), then read back through nc.results and `oodlab analyze RUN --json`.
let rt: Runtime;
let cleanup: () => Promise<void>;
let runId: string;
const epochEvents: { jobId: string; epoch: number; metrics: NcMetrics }[] = [];

beforeAll(async () => {
  const t = await tempDir('oodlab-nc-int-');
  cleanup = t.cleanup;
  rt = createRuntime({ mode: 'browser', home: t.dir });
  rt.bus.subscribe((channel, payload) => {
    if (channel === 'nc.epoch') epochEvents.push(payload as (typeof epochEvents)[number]);
  });
  const res = await rt.api.call('train.start', { preset: 'smoke', overrides: { backend: 'wasm' } });
  expect(res.error).toBeUndefined();
  const started = res.result as { runId: string; job: JobInfo };
  runId = started.runId;
  expect((await rt.jobs.wait(started.job.id)).state).toBe('done');
});
afterAll(async () => {
  await rt.jobs.shutdown();
  await cleanup();
});

describe('nc API and CLI', () => {
  it('answers not_found before any analysis, and for an unknown run', async () => {
    expect((await rt.api.call('nc.results', { runId })).error?.code).toBe('not_found');
    expect((await rt.api.call('nc.analyze', { runId: 'no-such-run' })).error?.code).toBe('not_found');
  });

  it('runs the analysis as a job, pushes each epoch, and writes nc_results.json', async () => {
    const res = await rt.api.call('nc.analyze', { runId, epochs: true, layers: true, backend: 'wasm' });
    expect(res.error).toBeUndefined();
    const job = res.result as JobInfo;
    expect(job).toMatchObject({ kind: 'nc', state: 'running', runId });
    expect((await rt.api.call('nc.analyze', { runId })).error?.code).toBe('conflict');
    const end = await rt.jobs.wait(job.id);
    expect(end.error).toBeUndefined();
    expect(end.state).toBe('done');
    const r = NcResults.parse((await rt.api.call('nc.results', { runId })).result);
    expect(r.perEpoch.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(epochEvents.filter((e) => e.jobId === job.id).map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(r.perEpoch[3].metrics).toEqual(r.final); // 'last' is epoch 4
    expect(r.layers.map((l) => l.name)).toEqual(['layer1', 'layer2', 'layer3', 'layer4', 'penultimate']);
    // the smoke run learns: its features separate the 4 classes far better than chance
    expect(r.final.nccTestAccuracy).toBeGreaterThan(0.5);
    expect(r.final.nc1).toBeGreaterThan(0);
  });

  it('`oodlab analyze RUN --json` prints the same final metrics (features and epochs come from the caches)', async () => {
    const before = process.env.OODLAB_HOME;
    process.env.OODLAB_HOME = rt.ctx.home;
    try {
      const out: string[] = [];
      const code = await analyze.run([runId, '--json'], {
        out: (l) => out.push(l),
        err: () => undefined,
        tty: false,
      });
      expect(code).toBe(0);
      const r = NcResults.parse(JSON.parse(out.join('\n')));
      const stored = NcResults.parse((await rt.api.call('nc.results', { runId })).result);
      expect(r.final).toEqual(stored.final);
      // without --epochs the curves cached by the previous analysis are kept
      expect(r.perEpoch.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    } finally {
      if (before === undefined) delete process.env.OODLAB_HOME;
      else process.env.OODLAB_HOME = before;
    }
  });
});
