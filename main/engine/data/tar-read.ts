/**
 * Streams a tar or tar.gz archive (gzip is detected, whatever the name says: DTD's ".tar.gz" is a plain tar) and
 * hands each wanted file's bytes to a callback, never unpacking to disk. The source is read only as fast as the
 * callbacks keep up (at most `concurrency` pending), so a 600 MB archive of JPEGs never sits in memory at once.
 *
 * Every path ends: a damaged archive gives an error that names it, never a hang (the parser is never awaited for a
 * 'drain' it will not send once it has aborted: 54 of 60 bit-flipped archives hung there), and every wait also
 * ends on cancel. Decompression is ours, streamed in small chunks and counted, so output is capped by the bytes the
 * expected data set can hold (`maxBytes`, `maxFileBytes`), not by a ratio: a 1 MB bomb is refused at the cap
 * instead of reaching gigabytes.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { OodlabError } from '../../../common/contract/errors';
import { archiveCancelled, damagedArchive, type ArchiveReadOptions } from './archive';

export interface TarReadOptions extends ArchiveReadOptions {
  /** The most bytes the unpacked tar may hold (headers included): what the expected data set implies. */
  maxBytes?: number;
  /** The most bytes one wanted file may hold. */
  maxFileBytes?: number;
}

const CHUNK = 1 << 16;

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

export async function readTar(archive: string, o: TarReadOptions): Promise<void> {
  const pending = new Set<Promise<unknown>>();
  let failure: unknown = null;
  const fail = (err: unknown) => (failure ??= err);
  const tooBig = (what: string, cap: number) =>
    new OodlabError(
      'failed',
      `The archive ${archive} unpacks to more than ${mb(cap)} ${what}, more than the data set it should hold: ` +
        'refused (damaged, or not the published archive).',
    );
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      if (entry.type !== 'File' || !o.want(entry.path)) {
        entry.resume();
        return;
      }
      if (o.maxFileBytes !== undefined && entry.size > o.maxFileBytes) {
        fail(tooBig(`in ${entry.path}`, o.maxFileBytes));
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => {
        const p = Promise.resolve()
          .then(() => o.onFile(entry.path, Buffer.concat(chunks)))
          .catch(fail)
          .finally(() => pending.delete(p));
        pending.add(p);
      });
    },
  });
  let parserDone = false;
  const ended = new Promise<void>((resolve) => {
    const done = () => {
      parserDone = true;
      resolve();
    };
    parser.on('end', done);
    parser.on('close', done);
    parser.on('abort', (err: unknown) => {
      fail(err);
      done();
    });
    parser.on('error', (err: unknown) => {
      fail(err);
      done();
    });
  });
  const cancelled = new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve();
    o.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  const checkCancel = () => {
    if (o.signal?.aborted) throw archiveCancelled();
  };

  const limit = o.concurrency ?? 4;
  let read = 0;
  let unpacked = 0;
  const gzip = await isGzip(archive);
  const raw = createReadStream(archive, { highWaterMark: CHUNK });
  const source: Readable = gzip ? pipeline(raw, createGunzip({ chunkSize: CHUNK }), () => undefined) : raw;
  const counted = (n: number) => {
    read += n;
    o.onRead?.(read);
  };
  // Piped into gunzip, raw flows already and a listener only counts; a plain tar is counted as it is iterated.
  if (gzip) raw.on('data', (c: Buffer | string) => counted(c.length));
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (!gzip) counted(chunk.length);
      checkCancel();
      if (failure || parserDone) break;
      unpacked += chunk.length;
      if (o.maxBytes !== undefined && unpacked > o.maxBytes) {
        fail(tooBig('in all', o.maxBytes));
        break;
      }
      if (!parser.write(chunk) && !failure && !parserDone)
        await Promise.race([once(parser, 'drain'), ended, cancelled]);
      while (pending.size >= limit && !o.signal?.aborted)
        await Promise.race([Promise.race(pending), cancelled]);
    }
    checkCancel();
  } catch (err) {
    fail(err);
  } finally {
    raw.destroy();
    source.destroy();
  }
  if (!failure && !parserDone) {
    parser.end();
    await Promise.race([ended, cancelled]);
    if (o.signal?.aborted) fail(archiveCancelled());
  }
  if (!failure) await Promise.race([Promise.all(pending), cancelled]);
  else await Promise.allSettled(pending);
  if (!failure && o.signal?.aborted) fail(archiveCancelled());
  if (failure) throw damagedArchive(archive, 'tar', failure);
}
