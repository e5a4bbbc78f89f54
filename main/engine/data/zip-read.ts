/**
 * Reads a zip archive (Tiny ImageNet is published as one) entry by entry with yauzl, a maintained streaming reader
 * that uses the central directory and reads each member from the file on demand, never unpacking to disk. The
 * same shape as tar-read: a `want` filter, an `onFile` callback with at most `concurrency` pending, a cancel signal
 * and progress in archive bytes. A member larger than `maxEntryBytes` or expanding more than 1000x is refused
 * before it is inflated (zip bombs; arrays of a user's .npz, which may hold long runs of zeros, are capped by
 * size only), and yauzl checks every member's real size against the one it declares.
 */
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { OodlabError } from '../../../common/contract/errors';
import { archiveCancelled, damagedArchive, type ArchiveReadOptions } from './archive';

export interface ZipReadOptions extends ArchiveReadOptions {
  /** Default 64 MiB: no image or annotation file comes near it. */
  maxEntryBytes?: number;
  /** Default 1000 (deflate's ceiling is about 1032:1, reached only by runs of one byte: not an image). */
  maxRatio?: number;
}

function open(archive: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(archive, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, zf) =>
      err || !zf ? reject(err ?? new Error('no zip file')) : resolve(zf),
    ),
  );
}

function readEntry(zf: ZipFile, e: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zf.openReadStream(e, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error('no stream'));
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    }),
  );
}

export async function readZip(archive: string, o: ZipReadOptions): Promise<void> {
  const damaged = (err: unknown) => damagedArchive(archive, 'zip', err);
  let zf: ZipFile;
  try {
    zf = await open(archive);
  } catch (err) {
    throw damaged(err);
  }
  const limit = o.concurrency ?? 4;
  const maxBytes = o.maxEntryBytes ?? 64 << 20;
  const maxRatio = o.maxRatio ?? 1000;
  const pending = new Set<Promise<unknown>>();
  let read = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const next = async () => {
        try {
          if (o.signal?.aborted) throw archiveCancelled();
          while (pending.size >= limit) await Promise.race(pending);
          zf.readEntry();
        } catch (err) {
          reject(err);
        }
      };
      zf.on('error', reject);
      zf.on('end', () => resolve());
      zf.on('entry', (e: Entry) => {
        void (async () => {
          read += e.compressedSize;
          o.onRead?.(read);
          const path = e.fileName;
          if (path.endsWith('/') || !o.want(path)) return next();
          if (e.uncompressedSize > maxBytes || e.uncompressedSize > maxRatio * Math.max(e.compressedSize, 1))
            throw new OodlabError(
              'failed',
              `${archive}: member ${path} would expand to ${e.uncompressedSize} bytes from ${e.compressedSize}: refused (not a data set image).`,
            );
          const data = await readEntry(zf, e);
          const p: Promise<unknown> = Promise.resolve()
            .then(() => o.onFile(path, data))
            .finally(() => pending.delete(p));
          pending.add(p);
          p.catch(reject);
          await next();
        })().catch(reject);
      });
      void next();
    });
    await Promise.all(pending);
  } catch (err) {
    try {
      zf.close();
    } catch {
      // already closed by autoClose
    }
    await Promise.allSettled(pending);
    throw damaged(err);
  }
}
