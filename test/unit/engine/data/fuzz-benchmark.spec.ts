/**
 * The new parsers on bad input: truncated files, random bytes, a flipped region and decompression bombs each end
 * in an error that says what is wrong, within the test's time limit (a hang fails the test).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../../../main/engine/features/npy';
import { buildCache } from '../../../../main/engine/data/build';
import { parseCifar10Records } from '../../../../main/engine/data/cifar10';
import { setSpecOverrides } from '../../../../main/engine/data/registry';
import { readNpz, toImages } from '../../../../main/engine/data/custom/arrays';
import { parseIdx, readIdxGz } from '../../../../main/engine/data/idx';
import { readPlaces365 } from '../../../../main/engine/data/places365';
import { readTinyImageNet } from '../../../../main/engine/data/tinyimagenet';
import { readZip } from '../../../../main/engine/data/zip-read';
import { cifar10Records, idx, makePlacesTar, makeTinyZip, makeZip } from '../../../helpers/data/benchmark';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oodlab-fuzz-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function random(n: number, seed: number): Buffer {
  let x = seed;
  return Buffer.from(
    Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x >> 16) & 255),
  );
}
const file = async (name: string, data: Uint8Array) => {
  const p = join(dir, name);
  await writeFile(p, data);
  return p;
};

describe('parsers on bad input', () => {
  it('CIFAR-10 records: truncation and random bytes are refused', () => {
    const good = cifar10Records(3, 0);
    expect(parseCifar10Records(good, 'x').labels.length).toBe(3);
    for (const cut of [0, 1, 3072, good.length - 1])
      expect(() => parseCifar10Records(good.subarray(0, cut), 'x')).toThrow(/CIFAR-10 records/);
    for (const seed of [1, 2, 3])
      expect(() => parseCifar10Records(random(3073 * 4, seed), 'x')).toThrow(/not CIFAR-10|CIFAR-10 records/);
  });

  it('IDX: truncated, random, wrong magic, and a gzip bomb', async () => {
    const good = idx([2, 28, 28], new Uint8Array(2 * 784));
    expect(parseIdx(good, 'x').dims).toEqual([2, 28, 28]);
    for (const cut of [0, 5, 12, good.length - 1])
      expect(() => parseIdx(good.subarray(0, cut), 'x')).toThrow(/not an IDX file/);
    for (const seed of [4, 5, 6]) expect(() => parseIdx(random(2000, seed), 'x')).toThrow(/not an IDX file/);
    const gz = gzipSync(good);
    await expect(readIdxGz(await file('cut.gz', gz.subarray(0, gz.length - 9)))).rejects.toThrow(/gzip/);
    await expect(readIdxGz(await file('rnd.gz', random(5000, 7)))).rejects.toThrow(/gzip/);
    // 100 MB of zeros squeeze into ~100 KB: inflation stops at the cap instead of filling memory
    const bomb = gzipSync(Buffer.alloc(100 << 20));
    await expect(readIdxGz(await file('bomb.gz', bomb))).rejects.toThrow(/not a readable gzip/);
  });

  it('zip: truncated, random, a flipped region, and a member that would expand 1000-fold', async () => {
    const tiny = (await makeTinyZip(3)).data;
    expect((await readTinyImageNet(await file('ok.zip', tiny))).labels.length).toBe(3);
    for (const cut of [0, 21, 100, Math.floor(tiny.length / 2), tiny.length - 10])
      await expect(readTinyImageNet(await file(`cut${cut}.zip`, tiny.subarray(0, cut)))).rejects.toThrow(
        /damaged or not a zip|not the Tiny ImageNet/,
      );
    for (const seed of [8, 9])
      await expect(readTinyImageNet(await file(`r${seed}.zip`, random(4096, seed)))).rejects.toThrow(
        /damaged or not a zip/,
      );
    const flipped = Buffer.from(tiny);
    flipped.fill(0x5a, 200, 1200); // inside the first members' compressed data
    await expect(readTinyImageNet(await file('flip.zip', flipped))).rejects.toThrow(
      /damaged or not a zip|Cannot decode|not the Tiny ImageNet/,
    );
    const bomb = makeZip([['big.bin', Buffer.alloc(64 << 20)]]);
    await expect(
      readZip(await file('bomb.zip', bomb), { want: () => true, onFile: () => undefined }),
    ).rejects.toThrow(/would expand/);
  });

  it('Places365 tar: truncated and random bytes', async () => {
    const { path } = await makePlacesTar(dir, 2);
    const { readFile } = await import('node:fs/promises');
    const good = await readFile(path);
    for (const cut of [100, 700])
      await expect(readPlaces365(await file(`p${cut}.tar`, good.subarray(0, cut)))).rejects.toThrow(
        /damaged|not the Places365|Cannot decode/,
      );
    // cut between two members, the tar reader sees one whole image: the count check refuses the archive
    setSpecOverrides({ places365: { counts: { test: 2 } } });
    try {
      const half = await file('half.tar', good.subarray(0, Math.floor(good.length / 2)));
      await expect(
        buildCache(join(dir, 'home'), 'places365', { archive: half, verify: false }),
      ).rejects.toThrow(/holds 1 test images .* expected 2/);
    } finally {
      setSpecOverrides({});
    }
    await expect(readPlaces365(await file('pr.tar', random(8192, 10)))).rejects.toThrow(
      /damaged|not the Places365/,
    );
  });

  it('npz / npy arrays: truncated, random, wrong shapes and values', async () => {
    const x = encodeNpy(new Uint8Array(2 * 32 * 32 * 3), [2, 32, 32, 3]);
    const y = encodeNpy(new Int32Array([0, 1]), [2]);
    const npz = makeZip([
      ['x.npy', Buffer.from(x)],
      ['y.npy', Buffer.from(y)],
    ]);
    expect((await readNpz(await file('ok.npz', npz))).x.shape).toEqual([2, 32, 32, 3]);
    for (const cut of [10, 200, npz.length - 30])
      await expect(readNpz(await file(`n${cut}.npz`, npz.subarray(0, cut)))).rejects.toThrow(
        /damaged or not a zip|not a readable .npy|no array named x/,
      );
    await expect(readNpz(await file('nr.npz', random(3000, 11)))).rejects.toThrow(/damaged or not a zip/);
    const cutX = makeZip([['x.npy', Buffer.from(x).subarray(0, 500)]]);
    await expect(readNpz(await file('cx.npz', cutX))).rejects.toThrow(/not a readable .npy.*truncated/);
    const arr = (data: Float32Array | Uint8Array, shape: number[]) => ({ data, shape, dtype: '<f4' });
    await expect(toImages(arr(new Float32Array(10), [10]), undefined, 'a')).rejects.toThrow(/shape/);
    await expect(
      toImages(arr(new Float32Array(2 * 5 * 5 * 4), [2, 5, 5, 4]), undefined, 'a'),
    ).rejects.toThrow(/channels/);
    await expect(
      toImages(arr(Float32Array.of(...new Array(75).fill(2)), [1, 5, 5, 3]), undefined, 'a'),
    ).rejects.toThrow(/outside \[0, 1\]/);
  });
});
