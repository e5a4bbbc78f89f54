/**
 * Small archives in the exact formats of the real sources, built in the test (nothing binary is committed):
 * a CIFAR-100 binary tar.gz, a compressed MATLAB v5 file written by an independent little writer, and a DTD-style
 * plain tar of JPEGs made with sharp.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { c as tarCreate } from 'tar';
import { CIFAR100_COARSE, CIFAR100_FINE } from '../../../main/engine/data/class-names';

export const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** A CIFAR record whose pixel (i, j) of channel c is a known function of (k, i, j, c). */
export const cifarPixel = (k: number, i: number, j: number, c: number) =>
  (k * 7 + i * 5 + j * 3 + c * 101) & 255;

export function cifarRecords(n: number, offset = 0): Buffer {
  const b = Buffer.alloc(n * 3074);
  for (let k = 0; k < n; k++) {
    const r = k * 3074;
    b[r] = (k + offset) % 20;
    b[r + 1] = (k + offset) % 100;
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < 32; i++)
        for (let j = 0; j < 32; j++) b[r + 2 + c * 1024 + i * 32 + j] = cifarPixel(k + offset, i, j, c);
  }
  return b;
}

export async function makeCifarArchive(
  dir: string,
  train: number,
  test: number,
): Promise<{ path: string; md5: string }> {
  const root = join(dir, 'cifar-src');
  await mkdir(join(root, 'cifar-100-binary'), { recursive: true });
  await writeFile(join(root, 'cifar-100-binary', 'train.bin'), cifarRecords(train));
  await writeFile(join(root, 'cifar-100-binary', 'test.bin'), cifarRecords(test, 1000));
  await writeFile(join(root, 'cifar-100-binary', 'fine_label_names.txt'), CIFAR100_FINE.join('\n') + '\n');
  await writeFile(
    join(root, 'cifar-100-binary', 'coarse_label_names.txt'),
    CIFAR100_COARSE.join('\n') + '\n',
  );
  const path = join(dir, 'cifar-100-binary.tar.gz');
  await tarCreate({ gzip: true, file: path, cwd: root, portable: true }, ['cifar-100-binary']);
  return { path, md5: md5(await readFile(path)) };
}

// ---- MATLAB v5 writer (independent of the reader: little-endian, as MATLAB writes on x86) ----
const pad8 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
function element(type: number, data: Buffer): Buffer {
  if (data.length <= 4 && type !== 14) {
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE((data.length << 16) | type, 0);
    data.copy(tag, 4);
    return tag;
  }
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(type, 0);
  tag.writeUInt32LE(data.length, 4);
  return Buffer.concat([tag, pad8(data)]);
}
function matrix(name: string, cls: number, dims: number[], dataType: number, data: Buffer): Buffer {
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(cls, 0);
  const d = Buffer.alloc(dims.length * 4);
  dims.forEach((v, i) => d.writeInt32LE(v, i * 4));
  return element(
    14,
    Buffer.concat([element(6, flags), element(5, d), element(1, Buffer.from(name)), element(dataType, data)]),
  );
}
function compressed(el: Buffer): Buffer {
  const z = deflateSync(el);
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(15, 0);
  tag.writeUInt32LE(z.length, 4);
  return Buffer.concat([tag, z]);
}
export function matHeader(text = 'MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: test'): Buffer {
  const h = Buffer.alloc(128, 0x20);
  h.write(text, 0, 'latin1');
  h.fill(0, 116, 124);
  h.writeUInt16LE(0x0100, 124);
  h.write('IM', 126, 'latin1');
  return h;
}

/** SVHN-like file: X uint8 32x32x3xN column-major with X(i,j,c,k) = svhnPixel(...), y (double, stored as uint8). */
export const svhnPixel = (k: number, i: number, j: number, c: number) =>
  (k * 11 + i * 3 + j * 13 + c * 77) & 255;
export function makeSvhnMat(labels: number[], opts: { compress?: boolean } = {}): Buffer {
  const n = labels.length;
  const X = Buffer.alloc(32 * 32 * 3 * n);
  for (let k = 0; k < n; k++)
    for (let c = 0; c < 3; c++)
      for (let j = 0; j < 32; j++)
        for (let i = 0; i < 32; i++) X[i + 32 * j + 1024 * c + 3072 * k] = svhnPixel(k, i, j, c);
  const xm = matrix('X', 9, [32, 32, 3, n], 2, X);
  const ym = matrix('y', 6, [n, 1], 2, Buffer.from(labels));
  const wrap = opts.compress === false ? (b: Buffer) => b : compressed;
  return Buffer.concat([matHeader(), wrap(xm), wrap(ym)]);
}

/** DTD-style plain tar: dtd/images/<class>/<class>_<k>.jpg, solid colours of different sizes. */
export async function makeDtdTar(
  dir: string,
  classes: string[],
  perClass: number,
): Promise<{ path: string; md5: string }> {
  const root = join(dir, 'dtd-src');
  for (const [ci, cls] of classes.entries()) {
    await mkdir(join(root, 'dtd', 'images', cls), { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const jpg = await sharp({
        create: {
          width: 40 + 10 * k,
          height: 36,
          channels: 3,
          background: { r: 40 * ci, g: 200 - 40 * ci, b: 30 * k },
        },
      })
        .jpeg({ quality: 95 })
        .toBuffer();
      await writeFile(join(root, 'dtd', 'images', cls, `${cls}_${String(k).padStart(4, '0')}.jpg`), jpg);
    }
  }
  await writeFile(join(root, 'dtd', 'README.txt'), 'fixture');
  const path = join(dir, 'dtd-r1.0.1.tar.gz');
  await tarCreate({ gzip: false, file: path, cwd: root, portable: true }, ['dtd']);
  return { path, md5: md5(await readFile(path)) };
}
