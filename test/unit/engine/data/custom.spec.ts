/**
 * The user's own data sets through the API and a real job worker: image folders with and without their own split,
 * an OOD folder, .npz and .npy arrays; corrupt images skipped and named; refusals; cancel and remove leave the
 * user's files alone and nothing half-built. Pixel values are checked on solid-colour PNGs, which any correct
 * decode-and-resize keeps exactly.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../../../../common/contract/datasets';
import type { JobInfo } from '../../../../common/contract/jobs';
import { datasetDir, readManifest } from '../../../../main/engine/data/cache';
import { seededSplit } from '../../../../main/engine/data/custom/add-task';
import { loadImageSet } from '../../../../main/engine/data/load';
import { encodeNpy } from '../../../../main/engine/features/npy';
import { callApi } from '../../../helpers/api';
import { createRuntime, type Runtime } from '../../../../main/runtime';
import { makeZip } from '../../../helpers/data/benchmark';

let dir: string;
let home: string;
let rt: Runtime;

const png = (w: number, h: number, rgb: [number, number, number]) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
const colour = (cls: number, k: number): [number, number, number] => [40 * cls + k, 100, 200 - 10 * k];

async function imageFolder(root: string, classes: string[], per: number) {
  for (const [c, name] of classes.entries()) {
    await mkdir(join(root, name), { recursive: true });
    for (let k = 0; k < per; k++)
      await writeFile(join(root, name, `img${k}.png`), await png(40 + k, 36, colour(c, k)));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oodlab-custom-'));
  home = join(dir, 'home');
  rt = createRuntime({ home, mode: 'browser' });
});
afterAll(async () => {
  await rt.jobs.shutdown();
  await rm(dir, { recursive: true, force: true });
});

const call = <T>(channel: string, req: unknown) => callApi<T>(rt, channel, req);
async function add(req: object): Promise<JobInfo> {
  return rt.jobs.wait((await call<JobInfo>('datasets.add', req)).id);
}
const info = async (id: string) => (await call<DatasetInfo[]>('datasets.list', {})).find((d) => d.id === id);

describe('datasets add', () => {
  it('an ImageFolder without a split: seeded per-class 80/20, corrupt files skipped and named, stats', async () => {
    const root = join(dir, 'pets');
    await imageFolder(root, ['cat', 'dog', 'eel'], 5);
    await writeFile(join(root, 'dog', 'broken.png'), 'not a png');
    const end = await add({ path: root, name: 'My Pets', role: 'id' });
    expect(end.error?.message).toBeUndefined();
    expect(end.result).toMatchObject({
      id: 'my-pets',
      train: 12,
      test: 3,
      skipped: { count: 1, first: ['dog/broken.png'] },
    });
    const d = (await info('my-pets'))!;
    expect(d).toMatchObject({ role: 'id', status: 'ready', classes: 3, classNames: ['cat', 'dog', 'eel'] });
    expect(d.custom).toMatchObject({ kind: 'imagefolder', skipped: 1, skippedFirst: ['dog/broken.png'] });
    expect(d.custom!.split).toMatch(/seeded 80\/20 split \(seed 0\)/);
    const m = (await readManifest(home, 'my-pets'))!;
    expect(m.custom!.split).toEqual({ kind: 'seeded', seed: 0, trainFraction: 0.8 });
    const train = await loadImageSet(home, 'my-pets', 'train');
    const test = await loadImageSet(home, 'my-pets', 'test');
    expect(Array.from(test.labels)).toEqual([0, 1, 2]);
    // the split is the seeded one, over the images in sorted order (cat 0-4, dog 5-9 without broken.png, eel)
    const labels = Int32Array.from({ length: 15 }, (_, i) => Math.floor(i / 5));
    const s = seededSplit(labels, 0, 0.8);
    const t0 = s.test[0]; // a cat image: solid colour colour(0, t0)
    expect(Array.from(test.images.subarray(500 * 3, 500 * 3 + 3))).toEqual(colour(0, t0));
    // normalisation statistics from the training split only: its solid colours, in float64
    const mean = [0, 1, 2].map(
      (c) => s.train.reduce((a, i) => a + colour(Math.floor(i / 5), i % 5)[c], 0) / 12 / 255,
    );
    train.norm!.mean.forEach((v, c) => expect(v).toBeCloseTo(mean[c], 10));
  });

  it('an ImageFolder with train/ and test/, an OOD folder of nested and grey images', async () => {
    const root = join(dir, 'split');
    await imageFolder(join(root, 'train'), ['a', 'b'], 3);
    await imageFolder(join(root, 'test'), ['a', 'b'], 1);
    expect((await add({ path: root, name: 'splitset', role: 'id' })).result).toMatchObject({
      train: 6,
      test: 2,
    });
    expect((await info('splitset'))!.custom!.split).toBe('its own train/test split');

    const ood = join(dir, 'outliers');
    await mkdir(join(ood, 'deep', 'er'), { recursive: true });
    await writeFile(
      join(ood, 'x.jpg'),
      await sharp(await png(50, 50, [10, 20, 30]))
        .jpeg()
        .toBuffer(),
    );
    const grey = await sharp(Buffer.alloc(64 * 64, 77), { raw: { width: 64, height: 64, channels: 1 } })
      .png()
      .toBuffer();
    await writeFile(join(ood, 'deep', 'er', 'g.png'), grey);
    await writeFile(join(ood, 'notes.txt'), 'ignored');
    expect((await add({ path: ood, name: 'outliers', role: 'ood' })).result).toMatchObject({
      train: 0,
      test: 2,
    });
    const o = await loadImageSet(home, 'outliers', 'test');
    expect(Array.from(o.images.subarray(0, 3))).toEqual([77, 77, 77]); // deep/er/g.png sorts first
    await expect(loadImageSet(home, 'outliers', 'train')).rejects.toThrow(/'test' split only/);
  });

  it('.npz (uint8 NCHW, resized) and a .npy pair (float NHWC)', async () => {
    const x = new Uint8Array(2 * 3 * 8 * 8);
    for (let k = 0; k < 2; k++)
      for (let c = 0; c < 3; c++) x.fill(10 * k + 50 * c, (k * 3 + c) * 64, (k * 3 + c + 1) * 64);
    const npz = makeZip([
      ['x.npy', Buffer.from(encodeNpy(x, [2, 3, 8, 8]))],
      ['y.npy', Buffer.from(encodeNpy(new Int32Array([1, 0]), [2]))],
    ]);
    await writeFile(join(dir, 'a.npz'), npz);
    const end = await add({ path: join(dir, 'a.npz'), name: 'arr', role: 'ood' });
    expect(end.error?.message).toBeUndefined();
    const a = await loadImageSet(home, 'arr', 'test');
    expect(Array.from(a.images.subarray(3072 + 33 * 3, 3072 + 33 * 3 + 3))).toEqual([10, 60, 110]);

    const xf = new Float32Array(10 * 32 * 32 * 3).map((_, i) => ((i % 3) + 1) / 4);
    await writeFile(join(dir, 'x.npy'), encodeNpy(xf, [10, 32, 32, 3]));
    await writeFile(
      join(dir, 'y.npy'),
      encodeNpy(
        Int32Array.from({ length: 10 }, (_, k) => k % 2),
        [10],
      ),
    );
    const e2 = await add({ path: join(dir, 'x.npy'), labels: join(dir, 'y.npy'), name: 'pair', role: 'id' });
    expect(e2.error?.message).toBeUndefined();
    const p = await loadImageSet(home, 'pair', 'train');
    expect(Array.from(p.images.subarray(0, 3))).toEqual([64, 128, 191]); // round(255 * 0.25, 0.5, 0.75)
  });

  it('refuses empty and one-class folders, built-in names, and a name in use', async () => {
    await mkdir(join(dir, 'empty', 'sub'), { recursive: true });
    expect((await add({ path: join(dir, 'empty'), name: 'e', role: 'ood' })).error?.message).toMatch(
      /holds no images/,
    );
    await imageFolder(join(dir, 'one'), ['only'], 3);
    expect((await add({ path: join(dir, 'one'), name: 'one', role: 'id' })).error?.message).toMatch(
      /at least two class folders/,
    );
    expect(existsSync(datasetDir(home, 'one'))).toBe(false);
    await expect(call('datasets.add', { path: join(dir, 'one'), name: 'SVHN', role: 'ood' })).rejects.toThrow(
      /built-in/,
    );
    await expect(call('datasets.add', { path: join(dir, 'one'), name: 'arr', role: 'ood' })).rejects.toThrow(
      /exists already/,
    );
    await expect(call('datasets.add', { path: 'relative/x', name: 'r', role: 'ood' })).rejects.toThrow(
      /absolute/,
    );
  });

  it('a cancelled add leaves nothing; remove deletes the cache and never the folder', async () => {
    const big = join(dir, 'big');
    await mkdir(big);
    const one = await png(300, 300, [1, 2, 3]);
    for (let k = 0; k < 400; k++) await writeFile(join(big, `i${k}.png`), one);
    const job = await call<JobInfo>('datasets.add', { path: big, name: 'big', role: 'ood' });
    await new Promise<void>((r) => {
      const off = rt.bus.subscribe((ch, p) => {
        if (ch === 'job.update' && (p as JobInfo).id === job.id && (p as JobInfo).progress) {
          off();
          r();
        }
      });
    });
    await call('jobs.cancel', { id: job.id });
    expect((await rt.jobs.wait(job.id)).state).toBe('cancelled');
    expect(existsSync(datasetDir(home, 'big'))).toBe(false);
    expect(await info('big')).toBeUndefined();

    const before = await readdir(join(dir, 'pets', 'cat'));
    const r = await call<{ deleted: boolean; freedBytes: number }>('datasets.delete', { id: 'my-pets' });
    expect(r.deleted).toBe(true);
    expect(existsSync(datasetDir(home, 'my-pets'))).toBe(false);
    expect(await readdir(join(dir, 'pets', 'cat'))).toEqual(before);
    await expect(loadImageSet(home, 'my-pets', 'test')).rejects.toThrow(/no data set 'my-pets'/);
  });
});
