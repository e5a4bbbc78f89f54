import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCifarRecords, readCifarArchive } from '../../../../main/engine/data/cifar';
import { CIFAR100_FINE } from '../../../../main/engine/data/class-names';
import { cifarPixel, cifarRecords, makeCifarArchive } from '../../../helpers/data/fixtures';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'oodlab-cifar-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('CIFAR-100 binary records', () => {
  it('puts a hand-built record in NHWC order with its labels', () => {
    const rec = new Uint8Array(3074);
    rec[0] = 19; // coarse
    rec[1] = 42; // fine
    rec[2 + 0 * 1024 + 5 * 32 + 7] = 200; // R at row 5, col 7
    rec[2 + 1 * 1024 + 5 * 32 + 7] = 100; // G
    rec[2 + 2 * 1024 + 31 * 32 + 0] = 9; // B at row 31, col 0
    const { images, labels, coarse } = parseCifarRecords(rec, 'one');
    expect([labels[0], coarse[0]]).toEqual([42, 19]);
    expect([images[(5 * 32 + 7) * 3], images[(5 * 32 + 7) * 3 + 1], images[(5 * 32 + 7) * 3 + 2]]).toEqual([
      200, 100, 0,
    ]);
    expect(images[31 * 32 * 3 + 2]).toBe(9);
    expect(images.reduce((a, b) => a + b, 0)).toBe(309);
  });

  it('refuses truncated data and random bytes with a clear message', () => {
    expect(() => parseCifarRecords(cifarRecords(2).subarray(0, 5000), 'train.bin')).toThrow(
      /not a whole number of 3074-byte/,
    );
    const junk = new Uint8Array(3074).fill(255);
    expect(() => parseCifarRecords(junk, 'train.bin')).toThrow(/not CIFAR-100 binary data/);
  });

  it('reads train and test from a real-layout tar.gz, streaming', async () => {
    const a = await makeCifarArchive(dir, 30, 12);
    const c = await readCifarArchive(a.path);
    expect(c.train.labels.length).toBe(30);
    expect(c.test.labels.length).toBe(12);
    expect(c.classNames).toEqual(CIFAR100_FINE);
    expect(c.test.labels[3]).toBe(1003 % 100);
    expect(c.test.coarse[3]).toBe(1003 % 20);
    for (const [k, i, j, ch] of [
      [0, 0, 0, 0],
      [29, 31, 31, 2],
      [17, 4, 9, 1],
    ])
      expect(c.train.images[k * 3072 + (i * 32 + j) * 3 + ch]).toBe(cifarPixel(k, i, j, ch));
  });

  it('gives a clear error for a truncated or random archive', async () => {
    const a = await makeCifarArchive(dir, 20, 5);
    const { readFile } = await import('node:fs/promises');
    const whole = await readFile(a.path);
    const cut = join(dir, 'cut.tar.gz');
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(readCifarArchive(cut)).rejects.toThrow(/damaged|no cifar-100-binary|not a whole number/);
    const rnd = join(dir, 'random.tar.gz');
    await writeFile(rnd, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 255)));
    await expect(readCifarArchive(rnd)).rejects.toThrow(/damaged|not the CIFAR-100/);
  });
});
