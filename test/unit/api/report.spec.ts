import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../common/contract/jobs';
import { ExportResult, Summary } from '../../../common/contract/report';
import { createRuntime, type Runtime } from '../../../main/runtime';
import { tempDir } from '../../helpers/tmp';
import { makeRun, RUN } from '../../helpers/run-fixture';

// The report.* channels as the renderer calls them, on a hand-made run folder (no training needed).
let rt: Runtime;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  rt = createRuntime({ mode: 'browser', home: t.dir, appVersion: '1.2.3' });
  await makeRun(t.dir);
});
afterAll(async () => {
  await rt.jobs.shutdown();
  await cleanup();
});

describe('report.* handlers', () => {
  it('report.summary builds, writes and returns a valid summary', async () => {
    const res = await rt.api.call('report.summary', { runId: RUN });
    const s = Summary.parse(res.result);
    expect(s.environment.app).toBe('1.2.3');
    expect(await readdir(join(rt.ctx.home, 'runs', RUN))).toContain('summary.json');
  });

  it('report.figure answers SVG text or a PNG data URL, in the asked theme', async () => {
    const svg = await rt.api.call('report.figure', { runId: RUN, figure: 'auroc-heatmap' });
    expect(svg.result).toMatchObject({ figure: 'auroc-heatmap', format: 'svg', mime: 'image/svg+xml' });
    expect((svg.result as { data: string }).data).toMatch(/^<svg[^>]*width="800"/);
    const png = await rt.api.call('report.figure', {
      runId: RUN,
      figure: 'layer-nc1',
      format: 'png',
      theme: 'dark',
      scale: 1,
    });
    const url = (png.result as { data: string }).data;
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const img = sharp(Buffer.from(url.slice(22), 'base64'));
    expect(await img.metadata()).toMatchObject({ width: 900, height: 520 });
    // dark theme: the corner pixel is the dark background, not white
    const { data } = await img.raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeLessThan(64);
  });

  it('report.figure and report.export refuse unknown figures, runs and formats', async () => {
    expect((await rt.api.call('report.figure', { runId: RUN, figure: 'roc-cifar10' })).error?.code).toBe(
      'not_found',
    );
    expect((await rt.api.call('report.export', { runId: 'nope', dir: '/tmp/x' })).error?.code).toBe(
      'not_found',
    );
    const bad = await rt.api.call('report.export', { runId: RUN, dir: '/tmp/x', formats: ['gif'] });
    expect(bad.error?.code).toBe('invalid_request');
  });

  it('report.export runs as an export job in a worker and reports what it wrote', async () => {
    const dir = join(rt.ctx.home, 'out');
    const res = await rt.api.call('report.export', { runId: RUN, dir, formats: ['svg'] });
    const job = res.result as JobInfo;
    expect(job).toMatchObject({ kind: 'export', runId: RUN, state: 'running' });
    const end = await rt.jobs.wait(job.id);
    expect(end.error).toBeUndefined();
    const r = ExportResult.parse(end.result);
    expect(r.figures).toHaveLength(11);
    expect((await readdir(join(dir, 'figures'))).length).toBe(11);
    expect(r.files).toContain('summary.json');
  });
});
