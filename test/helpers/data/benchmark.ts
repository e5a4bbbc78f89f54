/**
 * Small files in the real formats of the benchmark sets, built in the test with writers independent of the
 * readers: a CIFAR-10 binary tar.gz, MNIST's four gzip IDX files, a Tiny ImageNet zip (a minimal zip writer:
 * deflated members, central directory, CRC-32 from zlib) and a Places365-style tar of JPEGs.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { c as tarCreate } from 'tar';
import { md5 } from './fixtures';
import type { TestServer } from './server';

export const c10Pixel = (k: number, i: number, j: number, c: number) =>
  (k * 13 + i * 7 + j * 5 + c * 91) & 255;

export function cifar10Records(n: number, offset: number): Buffer {
  const b = Buffer.alloc(n * 3073);
  for (let k = 0; k < n; k++) {
    const r = k * 3073;
    b[r] = (k + offset) % 10;
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < 32; i++)
        for (let j = 0; j < 32; j++) b[r + 1 + c * 1024 + i * 32 + j] = c10Pixel(k + offset, i, j, c);
  }
  return b;
}

/** Five training batches of `per` images (image k of batch b is number b*per + k) and a test batch. */
export async function makeCifar10Archive(dir: string, per: number, test: number) {
  const root = join(dir, 'c10-src', 'cifar-10-batches-bin');
  await mkdir(root, { recursive: true });
  for (let b = 1; b <= 5; b++)
    await writeFile(join(root, `data_batch_${b}.bin`), cifar10Records(per, (b - 1) * per));
  await writeFile(join(root, 'test_batch.bin'), cifar10Records(test, 500));
  await writeFile(
    join(root, 'batches.meta.txt'),
    'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n',
  );
  const path = join(dir, 'cifar-10-binary.tar.gz');
  await tarCreate({ gzip: true, file: path, cwd: join(dir, 'c10-src'), portable: true }, [
    'cifar-10-batches-bin',
  ]);
  return { path, md5: md5(await readFile(path)) };
}

export function idx(dims: number[], data: Uint8Array): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h[2] = 0x08;
  h[3] = dims.length;
  dims.forEach((d, k) => h.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([h, Buffer.from(data)]);
}

export const digitPixel = (k: number, i: number, j: number) => (k * 17 + i * 9 + j * 4) & 255;

/** MNIST's four files with nTrain and nTest digits; returns name -> gzip bytes. */
export function makeMnistFiles(nTrain: number, nTest: number): Record<string, Buffer> {
  const images = (n: number, off: number) => {
    const d = new Uint8Array(n * 784);
    for (let k = 0; k < n; k++)
      for (let i = 0; i < 28; i++)
        for (let j = 0; j < 28; j++) d[k * 784 + i * 28 + j] = digitPixel(k + off, i, j);
    return gzipSync(idx([n, 28, 28], d));
  };
  const labels = (n: number, off: number) =>
    gzipSync(
      idx(
        [n],
        Uint8Array.from({ length: n }, (_, k) => (k + off) % 10),
      ),
    );
  return {
    'train-images-idx3-ubyte.gz': images(nTrain, 0),
    'train-labels-idx1-ubyte.gz': labels(nTrain, 0),
    't10k-images-idx3-ubyte.gz': images(nTest, nTrain),
    't10k-labels-idx1-ubyte.gz': labels(nTest, nTrain),
  };
}

/** A little-endian header of `size` bytes, zero but for the [offset, width in bytes, value] fields. */
function record(size: number, fields: [number, 2 | 4, number][]): Buffer {
  const b = Buffer.alloc(size);
  for (const [at, width, v] of fields) {
    if (width === 2) b.writeUInt16LE(v, at);
    else b.writeUInt32LE(v, at);
  }
  return b;
}

/** A zip of the given members, deflated (method 8), with a central directory: what zipfile/Info-ZIP write. */
export function makeZip(members: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const z = deflateRawSync(data);
    const n = Buffer.from(name);
    const crc = crc32(data);
    const l = record(30, [[0, 4, 0x04034b50], [4, 2, 20], [8, 2, 8], [14, 4, crc], [18, 4, z.length], [22, 4, data.length], [26, 2, n.length]]); // prettier-ignore
    const c = record(46, [[0, 4, 0x02014b50], [4, 2, 20], [6, 2, 20], [10, 2, 8], [16, 4, crc], [20, 4, z.length], [24, 4, data.length], [28, 2, n.length], [42, 4, offset]]); // prettier-ignore
    locals.push(l, n, z);
    centrals.push(c, n);
    offset += 30 + n.length + z.length;
  }
  const cd = Buffer.concat(centrals);
  const e = record(22, [[0, 4, 0x06054b50], [8, 2, members.length], [10, 2, members.length], [12, 4, cd.length], [16, 4, offset]]); // prettier-ignore
  return Buffer.concat([...locals, cd, e]);
}

const solid = (w: number, r: number, g: number, b: number) =>
  sharp({ create: { width: w, height: w, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

/** Tiny ImageNet layout: wnids.txt, words.txt, val/val_annotations.txt and val/images/val_<k>.JPEG (PNG bytes
 * under a .JPEG name would fool no one: these are real JPEGs), plus a train image that must be ignored. */
export async function makeTinyZip(n: number): Promise<{ data: Buffer; wnidOf: string[] }> {
  const wnids = ['n02', 'n01', 'n03'];
  const members: [string, Buffer][] = [
    ['tiny-imagenet-200/wnids.txt', Buffer.from(wnids.join('\n') + '\n')],
    [
      'tiny-imagenet-200/words.txt',
      Buffer.from('n01\tgoldfish, Carassius auratus\nn02\ttabby, cat\nn03\tbus\n'),
    ],
    [
      'tiny-imagenet-200/train/n01/images/n01_0.JPEG',
      await sharp(await solid(64, 1, 2, 3))
        .jpeg()
        .toBuffer(),
    ],
  ];
  const wnidOf: string[] = [];
  const ann: string[] = [];
  for (let k = 0; k < n; k++) {
    const w = wnids[k % 3];
    wnidOf.push(w);
    ann.push(`val_${k}.JPEG\t${w}\t0\t0\t63\t63`);
    const jpg = await sharp(await solid(64, 20 * k, 100, 200 - 20 * k))
      .jpeg({ quality: 95 })
      .toBuffer();
    members.push([`tiny-imagenet-200/val/images/val_${k}.JPEG`, jpg]);
  }
  members.push(['tiny-imagenet-200/val/val_annotations.txt', Buffer.from(ann.join('\n') + '\n')]);
  return { data: makeZip(members), wnidOf };
}

export async function makePlacesTar(dir: string, n: number) {
  const root = join(dir, 'places-src', 'val_256');
  await mkdir(root, { recursive: true });
  for (let k = 0; k < n; k++)
    await writeFile(
      join(root, `Places365_val_${String(k + 1).padStart(8, '0')}.jpg`),
      await sharp(await solid(256, 30 * k, 60, 90))
        .jpeg({ quality: 95 })
        .toBuffer(),
    );
  const path = join(dir, 'val_256.tar');
  await tarCreate({ gzip: false, file: path, cwd: join(dir, 'places-src'), portable: true }, ['val_256']);
  return { path, md5: md5(await readFile(path)) };
}

export interface BenchmarkSizes {
  /** CIFAR-10: images per training batch (five batches), test images */
  cifar10: [number, number];
  /** MNIST: training and test digits (OpenOOD tests on both) */
  mnist: [number, number];
  tinyimagenet: number;
  places365: number;
}

/** The four benchmark sets built in `dir` and served by `srv` (CIFAR-10's archive cut once mid-transfer when
 * asked), with the OODLAB_DATASET_OVERRIDES entries that point the downloader at them. */
export async function serveBenchmarkSets(
  srv: TestServer,
  dir: string,
  s: BenchmarkSizes,
  o: { cutCifar10?: boolean } = {},
): Promise<{ overrides: Record<string, object>; tinyWnids: string[] }> {
  const c10 = await makeCifar10Archive(dir, ...s.cifar10);
  const mnist = makeMnistFiles(...s.mnist);
  const tiny = await makeTinyZip(s.tinyimagenet);
  const places = await makePlacesTar(dir, s.places365);
  srv.routes.set('/c10.tgz', { kind: o.cutCifar10 ? 'cut-once' : 'file', data: await readFile(c10.path) });
  for (const [name, data] of Object.entries(mnist)) srv.routes.set(`/mnist/${name}`, { kind: 'file', data });
  srv.routes.set('/tin.zip', { kind: 'file', data: tiny.data });
  srv.routes.set('/p.tar', { kind: 'file', data: await readFile(places.path) });
  const names = Object.keys(mnist);
  const overrides = {
    cifar10: {
      url: `${srv.url}/c10.tgz`,
      md5: c10.md5,
      counts: { train: 5 * s.cifar10[0], test: s.cifar10[1] },
    },
    mnist: {
      url: `${srv.url}/mnist/${names[0]}`,
      md5: md5(mnist[names[0]]),
      counts: { test: s.mnist[0] + s.mnist[1] },
      more: names.slice(1).map((n) => ({ url: `${srv.url}/mnist/${n}`, md5: md5(mnist[n]) })),
    },
    tinyimagenet: { url: `${srv.url}/tin.zip`, md5: md5(tiny.data), counts: { test: s.tinyimagenet } },
    places365: { url: `${srv.url}/p.tar`, md5: places.md5, counts: { test: s.places365 } },
  };
  return { overrides, tinyWnids: tiny.wnidOf };
}
