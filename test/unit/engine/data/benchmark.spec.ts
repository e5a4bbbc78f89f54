/**
 * The four benchmark sets added for OpenOOD's protocol, end to end through the API and a real job worker: the
 * downloader fetches small files in the real formats from a local server (MNIST's four files, a zip, tars), the
 * parsers convert them, and the cached images are checked against values computed from the fixtures' formulas.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../../../../common/contract/datasets';
import type { JobInfo } from '../../../../common/contract/jobs';
import { datasetDir, readManifest } from '../../../../main/engine/data/cache';
import { loadImageSet } from '../../../../main/engine/data/load';
import { callApi, setEnv, useRuntime } from '../../../helpers/api';
import type { Runtime } from '../../../../main/runtime';
import { c10Pixel, digitPixel, makeMnistFiles, serveBenchmarkSets } from '../../../helpers/data/benchmark';
import { startServer, type TestServer } from '../../../helpers/data/server';

let dir: string;
let home: string;
let srv: TestServer;
let rt: Runtime;
let tinyWnids: string[];
let restoreEnv: () => void;

const app = useRuntime({ home: 'home' });
beforeAll(async () => {
  ({ dir, rt } = app);
  home = rt.ctx.home;
  srv = await startServer();
  const sets = await serveBenchmarkSets(
    srv,
    dir,
    { cifar10: [4, 6], mnist: [5, 3], tinyimagenet: 5, places365: 3 },
    { cutCifar10: true },
  );
  tinyWnids = sets.tinyWnids;
  restoreEnv = setEnv('OODLAB_DATASET_OVERRIDES', JSON.stringify(sets.overrides));
});
afterAll(async () => {
  restoreEnv();
  await srv.close();
});

const call = <T>(channel: string, req: unknown) => callApi<T>(rt, channel, req);
async function download(req: object): Promise<JobInfo> {
  const end = await rt.jobs.wait((await call<JobInfo>('datasets.download', req)).id);
  expect(end.error?.message).toBeUndefined();
  return end;
}

describe('benchmark sets', () => {
  it('lists the new sets with their OpenOOD group and download size before anything is fetched', async () => {
    const l = Object.fromEntries((await call<DatasetInfo[]>('datasets.list', {})).map((d) => [d.id, d]));
    expect(l.places365.status).toBe('missing');
    expect(l.places365.downloadBytes).toBeGreaterThan(400e6);
    expect([l.cifar10.group, l.tinyimagenet.group, l.mnist.group, l.svhn.group, l.dtd.group, l.places365.group])
      .toEqual(['near', 'near', 'far', 'far', 'far', 'far']); // prettier-ignore
  });

  it('CIFAR-10 binary: five batches in order, planes to NHWC, labels, stats of the training split', async () => {
    await download({ id: 'cifar10' });
    const train = await loadImageSet(home, 'cifar10', 'train');
    expect(train.n).toBe(20);
    for (const k of [0, 7, 19]) {
      expect(train.labels[k]).toBe(k % 10);
      expect(train.images[k * 3072 + (3 * 32 + 30) * 3 + 2]).toBe(c10Pixel(k, 3, 30, 2));
    }
    const test = await loadImageSet(home, 'cifar10', 'test');
    expect(test.images[5 * 3072 + 1]).toBe(c10Pixel(505, 0, 0, 1));
    expect(train.classNames[9]).toBe('truck');
    // mean / population std of every pixel of the training split, straight from the fixture's formula
    for (let c = 0; c < 3; c++) {
      let s = 0;
      let q = 0;
      for (let k = 0; k < 20; k++)
        for (let i = 0; i < 32; i++)
          for (let j = 0; j < 32; j++) {
            const v = c10Pixel(k, i, j, c) / 255;
            s += v;
            q += v * v;
          }
      const mean = s / 20480;
      expect(train.norm!.mean[c]).toBeCloseTo(mean, 12);
      expect(train.norm!.std[c]).toBeCloseTo(Math.sqrt(q / 20480 - mean * mean), 12);
    }
  });

  it('MNIST: four IDX files, train then test, grey 28 px to RGB 32 px by bilinear resampling', async () => {
    await download({ id: 'mnist' });
    const m = await loadImageSet(home, 'mnist', 'test');
    expect(m.n).toBe(8);
    expect(Array.from(m.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // output (16, 16) samples the source at (13.9375, 13.9375); digit 1 there is 17 + 9y + 4x (no wrap-around)
    const at = 1 * 3072 + (16 * 32 + 16) * 3;
    expect([m.images[at], m.images[at + 1], m.images[at + 2]]).toEqual([198, 198, 198]);
    // the corner clamps to source pixel (0, 0); test digits follow the training ones
    expect(m.images[6 * 3072]).toBe(digitPixel(6, 0, 0));
    expect(existsSync(join(datasetDir(home, 'mnist'), 't10k-labels-idx1-ubyte.gz'))).toBe(true);
  });

  it('MNIST from a folder holding its four files (--from DIR); one file is refused', async () => {
    const dirOf = join(dir, 'mnist-files');
    await mkdir(dirOf);
    for (const [name, data] of Object.entries(makeMnistFiles(5, 3))) await writeFile(join(dirOf, name), data);
    await call('datasets.delete', { id: 'mnist' });
    await download({ id: 'mnist', from: dirOf });
    expect((await loadImageSet(home, 'mnist', 'test')).n).toBe(8);
    const job = await call<JobInfo>('datasets.download', {
      id: 'mnist',
      from: join(dirOf, 'train-images-idx3-ubyte.gz'),
    });
    expect((await rt.jobs.wait(job.id)).error?.message).toMatch(/is 4 files .* give the folder/);
  });

  it('Tiny ImageNet zip: validation images labelled by val_annotations.txt over the sorted wnids', async () => {
    await download({ id: 'tinyimagenet' });
    const t = await loadImageSet(home, 'tinyimagenet', 'test');
    expect(t.n).toBe(5); // the train/ image is not read
    const sorted = [...new Set(tinyWnids)].sort();
    expect(Array.from(t.labels)).toEqual(tinyWnids.map((w) => sorted.indexOf(w)));
    expect(t.classNames).toEqual(['goldfish', 'tabby', 'bus']);
    // val_3 is the solid colour (60, 100, 140): JPEG keeps it within a few levels
    const px = Array.from(t.images.subarray(3 * 3072 + 500 * 3, 3 * 3072 + 500 * 3 + 3));
    [60, 100, 140].forEach((v, c) => expect(Math.abs(px[c] - v)).toBeLessThanOrEqual(4));
  });

  it('Places365 tar with --prune-archive: the cache stays, the archive goes', async () => {
    await download({ id: 'places365', prune: true });
    const p = await loadImageSet(home, 'places365', 'test');
    expect(p.n).toBe(3);
    expect(Math.abs(p.images[2 * 3072] - 60)).toBeLessThanOrEqual(4);
    expect(existsSync(join(datasetDir(home, 'places365'), 'val_256.tar'))).toBe(false);
    expect((await readManifest(home, 'places365'))?.splits.test?.n).toBe(3);
    const l = (await call<DatasetInfo[]>('datasets.list', {})).find((d) => d.id === 'places365')!;
    expect(l.status).toBe('ready');
    expect(l.sizeOnDisk).toBeGreaterThanOrEqual(3 * 3072);
  });
});
