/**
 * Streams a tar or tar.gz archive (gzip is detected, whatever the name says: DTD's ".tar.gz" is a plain tar) and
 * hands each wanted file's bytes to a callback, never unpacking to disk. The source is read only as fast as the
 * callbacks keep up (at most `concurrency` pending), so a 600 MB archive of JPEGs never sits in memory at once.
 * A damaged archive ends in an error that names it, not a hang.
 */
import { createReadStream } from 'node:fs';
import { Parser, type ReadEntry } from 'tar';
import { OodlabError } from '../../../common/contract/errors';

export interface TarReadOptions {
  want: (path: string) => boolean;
  onFile: (path: string, data: Buffer) => unknown;
  concurrency?: number;
  signal?: AbortSignal;
  /** Bytes of the archive read so far (for progress). */
  onRead?: (bytes: number) => void;
}

export async function readTar(archive: string, o: TarReadOptions): Promise<void> {
  const pending = new Set<Promise<unknown>>();
  let failure: unknown = null;
  const fail = (err: unknown) => (failure ??= err);
  const parser = new Parser({
    strict: true,
    maxDecompressionRatio: 10_000,
    onReadEntry: (entry: ReadEntry) => {
      if (entry.type !== 'File' || !o.want(entry.path)) {
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
  const ended = new Promise<void>((resolve) => {
    parser.on('end', () => resolve());
    parser.on('error', (err: unknown) => {
      fail(err);
      resolve();
    });
  });
  const limit = o.concurrency ?? 4;
  let read = 0;
  const stream = createReadStream(archive, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (o.signal?.aborted) throw new OodlabError('cancelled', 'Cancelled while reading the archive.');
      if (failure) break;
      read += chunk.length;
      o.onRead?.(read);
      if (!parser.write(chunk)) await new Promise((r) => parser.once('drain', r));
      while (pending.size >= limit) await Promise.race(pending);
    }
  } finally {
    stream.destroy();
  }
  if (!failure) parser.end();
  await (failure ? Promise.resolve() : ended);
  await Promise.all(pending);
  if (failure) {
    if (failure instanceof OodlabError) throw failure;
    const msg = failure instanceof Error ? failure.message : String(failure);
    throw new OodlabError('failed', `The archive ${archive} is damaged or not a tar file (${msg}).`);
  }
}
