/**
 * Downloads one file so that the final name only ever holds a complete, verified file: bytes go to
 * "<dest>.part", an interrupted transfer resumes from the part's size with an HTTP Range request, the md5 is
 * checked, and only then is the part renamed. Transient trouble (a cut connection, a stall, a 5xx) is retried
 * with exponential back-off; a definite answer (404, a wrong checksum, a full disk) stops at once with a message
 * that says what happened and what to do. Cancelling keeps the part, so the next attempt resumes.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OodlabError } from '../../../common/contract/errors';
import { diskFullError, isDiskFull } from '../runs/disk';
import { httpGet, TransientError } from './http';
import { md5File } from './md5';
import { RateMeter, type TransferProgress } from './rate';

export interface DownloadOptions {
  url: string;
  dest: string;
  /** Expected md5; when absent the file is not verified. */
  md5?: string;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  idleTimeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  proxy?: string | null;
  tunnelHttp?: boolean;
  /** Opens the part file (tests inject a failing one to simulate a full disk). */
  openPart?: (path: string, append: boolean) => Writable;
}

export const partPath = (dest: string) => `${dest}.part`;

const sizeOf = async (p: string) => (await stat(p).catch(() => null))?.size ?? 0;
const cancelled = () =>
  new OodlabError(
    'cancelled',
    'Download cancelled; the partial file is kept and the next download resumes it.',
  );

function httpFailure(status: number, message: string | undefined, url: string): Error {
  const what = `${url} answered HTTP ${status}${message ? ` ${message}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return new TransientError(`${what}.`);
  if (status === 404 || status === 410)
    return new OodlabError(
      'not_found',
      `${what}: the file is not there. Check the URL or the mirror (--mirror).`,
    );
  return new OodlabError('failed', `${what}.`);
}

async function writeFailure(err: NodeJS.ErrnoException, path: string, need: number | null): Promise<unknown> {
  if (isDiskFull(err))
    return diskFullError(
      err,
      dirname(path),
      need,
      'The partial download is kept: free some space and download again to resume.',
    );
  const why: Record<string, string> = {
    ENOSPC: 'no space left on the disk',
    EDQUOT: 'the disk quota is exceeded',
    EACCES: 'permission denied',
    EROFS: 'the file system is read-only',
  };
  return new OodlabError(
    'failed',
    `Could not write ${path}: ${why[err.code ?? ''] ?? err.message}. Free some space (or fix the folder) and download again; it will resume.`,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(cancelled());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One attempt: resumes from the part's size, returns when the body has been written in full. */
async function attempt(o: DownloadOptions, meter: RateMeter): Promise<void> {
  const part = partPath(o.dest);
  const idle = o.idleTimeoutMs ?? 30_000;
  const start = await sizeOf(part);
  const res = await httpGet(o.url, {
    headers: start > 0 ? { Range: `bytes=${start}-` } : {},
    signal: o.signal,
    idleTimeoutMs: idle,
    proxy: o.proxy,
    tunnelHttp: o.tunnelHttp,
  });
  const status = res.statusCode ?? 0;
  if (status === 416 && start > 0) {
    res.resume(); // the part already holds everything: the checksum decides
    return;
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw httpFailure(status, res.statusMessage, o.url);
  }
  let offset = 0;
  let total: number | null = null;
  if (status === 206) {
    const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(String(res.headers['content-range'] ?? ''));
    offset = m ? Number(m[1]) : -1;
    if (offset !== start) {
      res.destroy();
      await rm(part, { force: true });
      throw new TransientError('The server resumed at the wrong place; starting over.');
    }
    total = m && m[2] !== '*' ? Number(m[2]) : null;
  } else {
    const len = Number(res.headers['content-length']);
    total = Number.isFinite(len) && len >= 0 ? len : null;
  }
  meter.restart(offset, total);
  let received = offset;
  let stalled = false;
  let lastReport = 0;
  let timer = setTimeout(onIdle, idle);
  function onIdle() {
    stalled = true;
    res.destroy();
  }
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      clearTimeout(timer);
      timer = setTimeout(onIdle, idle);
      received += chunk.length;
      const now = performance.now();
      if (now - lastReport >= 100) {
        lastReport = now;
        o.onProgress?.(meter.update(received));
      }
      cb(null, chunk);
    },
  });
  let writeError: NodeJS.ErrnoException | null = null;
  const out = o.openPart
    ? o.openPart(part, status === 206)
    : (createWriteStream(part, { flags: status === 206 ? 'a' : 'w' }) as WriteStream);
  out.once('error', (e: NodeJS.ErrnoException) => (writeError ??= e));
  try {
    await pipeline(res, counter, out, { signal: o.signal });
  } catch (err) {
    if (o.signal?.aborted) throw cancelled();
    if (writeError) throw await writeFailure(writeError, part, total !== null ? total - received : null);
    if (stalled)
      throw new TransientError(`The server stopped sending (no data for ${Math.round(idle / 1000)} s).`);
    throw new TransientError(`The connection broke after ${received} bytes (${(err as Error).message}).`);
  } finally {
    clearTimeout(timer);
  }
  o.onProgress?.(meter.update(received));
  if (total !== null && received !== total)
    throw new TransientError(`The connection closed after ${received} of ${total} bytes.`);
}

export async function downloadFile(o: DownloadOptions): Promise<{ bytes: number; md5: string | null }> {
  await mkdir(dirname(o.dest), { recursive: true });
  const part = partPath(o.dest);
  const retries = o.retries ?? 5;
  const meter = new RateMeter();
  for (let n = 0; ; n++) {
    if (o.signal?.aborted) throw cancelled();
    try {
      await attempt(o, meter);
      break;
    } catch (err) {
      const transient =
        err instanceof TransientError || (err instanceof Error && !(err instanceof OodlabError));
      if (!transient) throw err;
      if (o.signal?.aborted) throw cancelled();
      if (n >= retries)
        throw new OodlabError(
          'failed',
          `Download of ${o.url} failed after ${n + 1} attempts: ${(err as Error).message} The partial file is kept; try again later to resume.`,
        );
      await sleep(Math.min(30_000, (o.backoffMs ?? 1000) * 2 ** n), o.signal);
    }
  }
  const bytes = await sizeOf(part);
  let md5: string | null = null;
  if (o.md5) {
    md5 = await md5File(part, o.signal);
    if (md5 !== o.md5.toLowerCase()) {
      await rm(part, { force: true });
      throw new OodlabError(
        'failed',
        `The downloaded file from ${o.url} does not match its published checksum (md5 ${md5}, expected ${o.md5}). It was deleted; download again, or use another mirror.`,
      );
    }
  }
  await rename(part, o.dest);
  return { bytes, md5 };
}
