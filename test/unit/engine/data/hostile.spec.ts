// Issue 18 items 4 and 5: every parser ends with a result or a clear error on damaged input (no hang at
// "99% Converting"), honours cancel, and refuses decompression bombs at the size the expected data set implies.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OodlabError } from '../../../../common/contract/errors';
import { readCifarArchive } from '../../../../main/engine/data/cifar';
import { readDtdArchive } from '../../../../main/engine/data/dtd';
import { readMat } from '../../../../main/engine/data/matv5';
import { svhnFromMat } from '../../../../main/engine/data/svhn';
import { tempDir } from '../../../helpers/tmp';
import { makeCifarArchive, makeDtdTar, matHeader } from '../../../helpers/data/fixtures';

let dir: string;
let cleanup: () => Promise<void>;
let cifar: Buffer;
let dtd: Buffer;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  cifar = await readFile((await makeCifarArchive(dir, 30, 12)).path);
  dtd = await readFile((await makeDtdTar(dir, ['banded', 'woven'], 2)).path);
});
afterAll(() => cleanup());

/** Settles within ms, or reports a hang. */
async function settles<T>(p: Promise<T>, ms = 15_000): Promise<{ ok: true } | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('HANG')), ms)));
  try {
    await Promise.race([p, hang]);
    return { ok: true };
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

/** A seeded xorshift so that a failure names a reproducible case. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** A ustar header for one regular file (checksum per POSIX: header bytes summed with the field as spaces). */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  const sum = h.reduce((a, b) => a + b, 0);
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}
const bomb = (entries: [string, number][]) =>
  gzipSync(
    Buffer.concat([
      ...entries.flatMap(([name, size]) => [
        tarHeader(name, size),
        Buffer.alloc(Math.ceil(size / 512) * 512),
      ]),
      Buffer.alloc(1024),
    ]),
  );

describe('damaged archives end, with a message naming them', () => {
  it('the intact archives read (the control of the cases below)', async () => {
    const path = join(dir, 'intact.tar.gz');
    await writeFile(path, cifar);
    const c = await readCifarArchive(path, { counts: { train: 30, test: 12 } });
    expect([c.train.labels.length, c.test.labels.length]).toEqual([30, 12]);
    await writeFile(join(dir, 'intact.tar'), dtd);
    expect((await readDtdArchive(join(dir, 'intact.tar'))).labels.length).toBe(4);
  });

  it('60 bit-flipped CIFAR tar.gz files: each resolves or fails clearly, none hangs', async () => {
    const rand = rng(18);
    const outcomes: string[] = [];
    for (let k = 0; k < 60; k++) {
      const b = Buffer.from(cifar);
      for (let f = 0; f < 1 + (k % 4); f++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
      const path = join(dir, `flip-${k}.tar.gz`);
      await writeFile(path, b);
      const r = await settles(readCifarArchive(path, { counts: { train: 30, test: 12 } }));
      if ('error' in r) {
        expect((r.error as Error).message, `case ${k}`).not.toBe('HANG');
        expect(r.error, `case ${k}`).toBeInstanceOf(OodlabError);
        expect((r.error as Error).message, `case ${k}`).toMatch(
          new RegExp(`flip-${k}|cifar-100-binary|records|CIFAR`),
        );
        outcomes.push('error');
      } else outcomes.push('ok');
    }
    expect(outcomes.filter((o) => o === 'error').length).toBeGreaterThan(30);
  }, 120_000);

  it('a truncated tar.gz and a truncated plain tar end with an error', async () => {
    for (const [name, bytes] of [
      ['cut.tar.gz', cifar],
      ['cut.tar', dtd],
    ] as const)
      for (const frac of [0.1, 0.5, 0.75]) {
        const path = join(dir, name);
        await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * frac) - 37)); // off a 512-byte block edge
        const read: Promise<unknown> = name.endsWith('.gz') ? readCifarArchive(path) : readDtdArchive(path);
        const r = await settles(read);
        const message = 'error' in r ? (r.error as Error).message : 'resolved';
        expect(message, `${name} ${frac}`).toMatch(/damaged|not the|has no/);
      }
  });

  it('20 bit-flipped DTD tars: none hangs', async () => {
    const rand = rng(7);
    for (let k = 0; k < 20; k++) {
      const b = Buffer.from(dtd);
      for (let f = 0; f < 3; f++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
      const path = join(dir, `dtd-flip-${k}.tar`);
      await writeFile(path, b);
      const r = await settles(readDtdArchive(path));
      if ('error' in r) expect((r.error as Error).message, `case ${k}`).not.toBe('HANG');
    }
  }, 60_000);

  it('stops at once on cancel, mid-archive', async () => {
    const path = join(dir, 'cancel.tar.gz');
    await writeFile(path, cifar);
    const ac = new AbortController();
    const r = await settles(readCifarArchive(path, { signal: ac.signal, onRead: () => ac.abort() }), 5000);
    expect('error' in r && r.error).toMatchObject({ code: 'cancelled' });
  });
});

describe('decompression bombs are refused at the size the data set implies', () => {
  it('a tar.gz whose train.bin claims 64 MiB, for a set of 20 records', async () => {
    const path = join(dir, 'bomb1.tar.gz');
    await writeFile(path, bomb([['cifar-100-binary/train.bin', 64 * 2 ** 20]]));
    const r = await settles(readCifarArchive(path, { counts: { train: 10, test: 10 } }));
    expect('error' in r && (r.error as Error).message).toMatch(
      /unpacks to more than .* in cifar-100-binary\/train\.bin/,
    );
  });

  it('a tar.gz of 64 MiB of padding in a file nobody wants', async () => {
    const path = join(dir, 'bomb2.tar.gz');
    const b = bomb([['cifar-100-binary/junk', 64 * 2 ** 20]]);
    expect(b.length).toBeLessThan(2 ** 20); // compressed: under 1 MiB
    await writeFile(path, b);
    const before = process.memoryUsage().rss;
    const r = await settles(readCifarArchive(path, { counts: { train: 10, test: 10 } }));
    expect('error' in r && (r.error as Error).message).toMatch(/unpacks to more than 1 MiB in all/);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 2 ** 20);
  });

  it('a MAT file whose 64 KiB compressed element inflates to 64 MiB', () => {
    const inner = Buffer.alloc(64 * 2 ** 20);
    inner.writeUInt32LE(14, 0);
    inner.writeUInt32LE(inner.length - 8, 4);
    const z = deflateSync(inner);
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(15, 0);
    tag.writeUInt32LE(z.length, 4);
    const file = Buffer.concat([matHeader(), tag, z]);
    expect(() => svhnFromMat(file, 'bomb.mat', 100)).toThrow(/inflates to more than .* bytes/);
    expect(() => readMat(file, { maxInflated: 2 ** 20 })).toThrow(/inflates to more than the 1048576 bytes/);
  });

  it('random bytes after a valid header never crash the MAT reader', () => {
    const rand = rng(3);
    for (let k = 0; k < 200; k++) {
      const body = randomBytes(16 + Math.floor(rand() * 400));
      if (k % 2) body.writeUInt32LE(15, 0); // a compressed element tag with random contents
      const f = Buffer.concat([matHeader(), body]);
      try {
        readMat(f, { maxInflated: 2 ** 20 });
      } catch (err) {
        expect(err, `case ${k}`).toBeInstanceOf(OodlabError);
      }
    }
  });
});
