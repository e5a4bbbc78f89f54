/**
 * The 'datasets.download' job: for each requested set, get the source archive (download, or import a file the
 * user already has), check its md5, convert it into the cache, and announce the set as ready. Progress covers
 * the whole job (download ~85% of each set's share, conversion the rest) with {bytes, total, rate} in detail.
 * A set whose cache is already intact and from the published archive is skipped.
 */
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { DownloadableId } from '../../../common/contract/datasets';
import { OodlabError } from '../../../common/contract/errors';
import type { TaskContext, TaskFn } from '../task';
import { diskFullError, isDiskFull } from '../runs/disk';
import { acquireFileLock } from '../runs/lock';
import { buildCache } from './build';
import { checkCacheSizes, datasetDir, readManifest } from './cache';
import { downloadFile, partPath } from './download';
import { md5File } from './md5';
import { datasetSpec, type DownloadableId as Id } from './registry';

export const DownloadParams = z.object({
  ids: z.array(DownloadableId).min(1),
  from: z.string().min(1).optional(),
  verify: z.boolean().default(true),
  mirror: z.string().optional(),
  proxy: z.string().optional(),
  /** Tuning for tests and slow links. */
  idleTimeoutMs: z.number().int().positive().optional(),
  retries: z.number().int().min(0).optional(),
  backoffMs: z.number().int().min(0).optional(),
  /** Delete the source archives once the cache is built (the cache is all that training and scoring read). */
  prune: z.boolean().default(false),
});
export type DownloadParams = z.infer<typeof DownloadParams>;

const DOWNLOAD_SHARE = 0.85;

async function alreadyReady(home: string, id: Id, md5: string, verify: boolean): Promise<boolean> {
  const m = await readManifest(home, id).catch(() => null);
  if (m === null || m.source.md5 !== md5 || (await checkCacheSizes(home, m)) !== null) return false;
  return !verify || m.source.verified !== false; // an unverified cache is checked now that the user asks
}

async function importFile(
  from: string,
  archive: string,
  expected: string | null,
  name: string,
  ctx: TaskContext,
): Promise<void> {
  if (expected) {
    const got = await md5File(from, ctx.signal);
    if (got !== expected)
      throw new OodlabError(
        'failed',
        `${from} does not match the published checksum of ${name} (md5 ${got}, expected ${expected}). Pass --no-verify to import it anyway.`,
      );
  }
  if (resolve(from) === resolve(archive)) return;
  const part = partPath(archive);
  try {
    await mkdir(dirname(archive), { recursive: true });
    await copyFile(from, part);
    await rename(part, archive);
  } catch (err) {
    await rm(part, { force: true });
    if (isDiskFull(err)) {
      const need = (await stat(from).catch(() => null))?.size ?? null;
      throw await diskFullError(err, dirname(archive), need, `${from} is untouched.`);
    }
    throw new OodlabError('failed', `Could not copy ${from} into the data folder: ${(err as Error).message}`);
  }
}

/** Gets one set's archive (download or import) and converts it; the caller holds the set's download lock. */
async function fetchAndBuild(
  p: DownloadParams,
  id: Id,
  share: (f: number) => number,
  ctx: TaskContext,
): Promise<void> {
  const spec = datasetSpec(id, { mirror: p.mirror });
  const src = spec.source!;
  const archive = join(datasetDir(ctx.home, id), src.file);
  // a set published as several files (MNIST) downloads or imports each; --from then names their folder
  const parts = [src, ...(src.more ?? [])];
  const fromDir = p.from ? (await stat(p.from)).isDirectory() : false;
  if (p.from && parts.length > 1 && !fromDir)
    throw new OodlabError(
      'invalid_request',
      `${spec.name} is ${parts.length} files (${parts.map((x) => x.file).join(', ')}): give the folder that holds them.`,
    );
  for (const [k, part] of parts.entries()) {
    const dest = join(datasetDir(ctx.home, id), part.file);
    const sub = (f: number) => share((DOWNLOAD_SHARE * (k + f)) / parts.length);
    if (p.from) {
      const from = fromDir ? join(p.from, part.file) : p.from;
      ctx.progress({ fraction: sub(0), message: `Importing ${from}` });
      await importFile(from, dest, p.verify ? part.md5 : null, spec.name, ctx);
      continue;
    }
    ctx.log('info', `Downloading ${spec.name} from ${part.url}`);
    await downloadFile({
      url: part.url,
      dest,
      md5: p.verify ? part.md5 : undefined,
      signal: ctx.signal,
      proxy: p.proxy,
      idleTimeoutMs: p.idleTimeoutMs,
      retries: p.retries,
      backoffMs: p.backoffMs,
      onProgress: (t) =>
        ctx.progress({
          fraction: sub(t.total ? t.bytes / t.total : 0),
          message: `Downloading ${spec.name}`,
          etaSeconds: t.etaSeconds,
          detail: { bytes: t.bytes, total: t.total ?? part.approxBytes, rate: t.rate },
        }),
    });
  }
  if (!p.verify)
    ctx.log(
      'warn',
      `${spec.name}: the published md5 was not checked (--no-verify); the set is recorded as unverified.`,
    );
  await buildCache(ctx.home, id, {
    archive,
    verify: false,
    verified: p.verify,
    signal: ctx.signal,
    onProgress: (f, message) =>
      ctx.progress({ fraction: share(DOWNLOAD_SHARE + (1 - DOWNLOAD_SHARE) * f), message }),
  });
  if (p.prune) {
    for (const part of parts) await rm(join(datasetDir(ctx.home, id), part.file), { force: true });
    ctx.log('info', `${spec.name}: source archive deleted (--prune-archive); the cache is kept.`);
  }
  ctx.emit('datasets.changed', { id, status: 'ready' });
  ctx.log('info', `${spec.name} is ready.`);
}

export const downloadTask: TaskFn = async (raw, ctx) => {
  const p = DownloadParams.parse(raw);
  if (p.from && p.ids.length !== 1)
    throw new OodlabError('invalid_request', '--from imports one file: name one data set.');
  const done: Id[] = [];
  for (const [i, id] of p.ids.entries()) {
    const spec = datasetSpec(id, { mirror: p.mirror });
    const share = (f: number) => (i + f) / p.ids.length;
    if (!p.from && (await alreadyReady(ctx.home, id, spec.source!.md5, p.verify))) {
      ctx.log('info', `${spec.name} is already downloaded and converted.`);
      done.push(id);
      continue;
    }
    // One download per set across processes: two writers of one .part interleave it and both fail.
    await mkdir(datasetDir(ctx.home, id), { recursive: true });
    const lock = await acquireFileLock(
      join(datasetDir(ctx.home, id), '.download.lock'),
      spec.name,
      'download',
    );
    try {
      await fetchAndBuild(p, id, share, ctx);
    } finally {
      await lock.release();
    }
    done.push(id);
  }
  return { ready: done };
};
