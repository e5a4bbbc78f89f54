/**
 * The whole path a user takes, through the API and a real job worker: download all three sets from a local
 * server serving archives in the real formats, list them, sample, damage the cache and see it rebuilt, delete.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../../../../common/contract/datasets';
import type { JobInfo } from '../../../../common/contract/jobs';
import { datasetDir } from '../../../../main/engine/data/cache';
import { loadImageSet } from '../../../../main/engine/data/load';
import { callApi, setEnv, useRuntime } from '../../../helpers/api';
import type { Runtime } from '../../../../main/runtime';
import {
  cifarPixel,
  makeCifarArchive,
  makeDtdTar,
  makeSvhnMat,
  md5,
  svhnPixel,
} from '../../../helpers/data/fixtures';
import { serveBenchmarkSets } from '../../../helpers/data/benchmark';
import { startServer, type TestServer } from '../../../helpers/data/server';

let dir: string;
let home: string;
let srv: TestServer;
let rt: Runtime;
let restoreEnv: () => void;

const app = useRuntime({ home: 'home' });
beforeAll(async () => {
  ({ dir, rt } = app);
  home = rt.ctx.home;
  srv = await startServer();
  const cifar = await makeCifarArchive(dir, 40, 10);
  const mat = makeSvhnMat([10, 2, 3, 4, 5, 6]);
  const dtd = await makeDtdTar(dir, ['banded', 'dotted'], 2);
  srv.routes.set('/c.tgz', { kind: 'cut-once', data: await readFile(cifar.path) });
  srv.routes.set('/s.mat', { kind: 'file', data: mat });
  srv.routes.set('/d.tar', { kind: 'file', data: await readFile(dtd.path) });
  await writeFile(join(dir, 'test_32x32.mat'), mat);
  // 'all' also means the OpenOOD benchmark sets: small files in their formats (benchmark.spec.ts checks them)
  const bench = await serveBenchmarkSets(srv, dir, {
    cifar10: [2, 2],
    mnist: [2, 1],
    tinyimagenet: 2,
    places365: 1,
  });
  restoreEnv = setEnv(
    'OODLAB_DATASET_OVERRIDES',
    JSON.stringify({
      cifar100: { url: `${srv.url}/c.tgz`, md5: cifar.md5, counts: { train: 40, test: 10 } },
      svhn: { url: `${srv.url}/s.mat`, md5: md5(mat), counts: { test: 6 } },
      dtd: { url: `${srv.url}/d.tar`, md5: dtd.md5, counts: { test: 4 } },
      ...bench.overrides,
    }),
  );
});
afterAll(async () => {
  restoreEnv();
  await srv.close();
});

const call = <T>(channel: string, req: unknown) => callApi<T>(rt, channel, req);
const list = async () =>
  Object.fromEntries((await call<DatasetInfo[]>('datasets.list', {})).map((d) => [d.id, d]));

describe('datasets API', () => {
  it('downloads all the sets in one job and lists them as ready', async () => {
    expect((await list()).cifar100.status).toBe('missing');
    const updates: JobInfo[] = [];
    rt.bus.subscribe((ch, p) => ch === 'job.update' && updates.push(p as JobInfo));
    const job = await call<JobInfo>('datasets.download', { id: 'all' });
    expect(job.kind).toBe('datasets.download');
    expect((await list()).cifar100.status).toBe('downloading');
    const end = await rt.jobs.wait(job.id);
    expect(end.error?.message).toBeUndefined();
    expect(end.state).toBe('done');
    expect(updates.some((u) => u.progress?.detail?.bytes !== undefined)).toBe(true);
    const l = await list();
    expect([l.cifar100.status, l.svhn.status, l.dtd.status]).toEqual(['ready', 'ready', 'ready']);
    expect([l.cifar10, l.mnist, l.tinyimagenet, l.places365].map((d) => d.status)).toEqual(
      Array(4).fill('ready'),
    );
    expect(l.dtd.classNames).toEqual(['banded', 'dotted']);
    const train = await loadImageSet(home, 'cifar100', 'train');
    expect(train.n).toBe(40);
    expect(train.images[5 * 3072 + (2 * 32 + 3) * 3 + 1]).toBe(cifarPixel(5, 2, 3, 1));
    expect(train.coarseLabels?.[5]).toBe(5);
    const svhn = await loadImageSet(home, 'svhn', 'test');
    expect(Array.from(svhn.labels)).toEqual([0, 2, 3, 4, 5, 6]);
    expect(svhn.images[(31 * 32 + 30) * 3 + 2]).toBe(svhnPixel(0, 31, 30, 2));
    await expect(loadImageSet(home, 'svhn', 'train')).rejects.toThrow(/'test' split only/);
  });

  it('serves sample images as PNG data URLs', async () => {
    const s = await call<{ samples: { label: number; dataUrl: string }[] }>('datasets.samples', {
      id: 'svhn',
      indices: [1],
      scale: 2,
    });
    expect(s.samples[0].label).toBe(2);
    const png = Buffer.from(s.samples[0].dataUrl.split(',')[1], 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const syn = await call<{ samples: unknown[] }>('datasets.samples', { id: 'synthetic', count: 3 });
    expect(syn.samples.length).toBe(3);
  });

  it('detects a damaged cache, rebuilds it from the kept archive, and says so when the archive is gone', async () => {
    await truncate(join(datasetDir(home, 'svhn'), 'test-images.u8'), 100);
    expect((await list()).svhn.status).toBe('corrupt');
    const again = await loadImageSet(home, 'svhn', 'test');
    expect(again.n).toBe(6);
    expect((await list()).svhn.status).toBe('ready');
    const img = join(datasetDir(home, 'svhn'), 'test-images.u8');
    const b = await readFile(img);
    b[17] ^= 0xff; // same size, different bytes: only the checksum sees it
    await writeFile(img, b);
    await rm(join(datasetDir(home, 'svhn'), 'test_32x32.mat'));
    await expect(loadImageSet(home, 'svhn', 'test')).rejects.toThrow(
      /fails its checksum.*source archive is gone.*oodlab download svhn/,
    );
  });

  it('imports a file the user has, refusing one with the wrong checksum unless told not to verify', async () => {
    const bad = join(dir, 'other.mat');
    await writeFile(bad, makeSvhnMat([1, 2, 3, 4, 5, 6]));
    const j1 = await call<JobInfo>('datasets.download', { id: 'svhn', from: bad });
    const e1 = await rt.jobs.wait(j1.id);
    expect(e1.state).toBe('failed');
    expect(e1.error?.message).toMatch(/does not match the published checksum.*--no-verify/);
    await rm(datasetDir(home, 'svhn'), { recursive: true }); // importing into an empty folder
    const j2 = await call<JobInfo>('datasets.download', { id: 'svhn', from: join(dir, 'test_32x32.mat') });
    expect((await rt.jobs.wait(j2.id)).state).toBe('done');
    expect((await loadImageSet(home, 'svhn', 'test')).labels[0]).toBe(0);
  });

  it('deletes a set', async () => {
    const r = await call<{ deleted: boolean; freedBytes: number }>('datasets.delete', { id: 'dtd' });
    expect(r.deleted).toBe(true);
    expect(r.freedBytes).toBeGreaterThan(4 * 3072);
    expect(existsSync(datasetDir(home, 'dtd'))).toBe(false);
    expect((await list()).dtd.status).toBe('missing');
    await expect(loadImageSet(home, 'dtd', 'test')).rejects.toThrow(
      /not downloaded yet: run `oodlab download dtd`/,
    );
  });
});
