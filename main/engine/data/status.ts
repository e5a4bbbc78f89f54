/**
 * What the Datasets page and `oodlab datasets` show: for every set its state on disk. A listing only compares
 * file sizes with the manifest (fast); `verify` also re-checks every checksum. A set counts as downloading when
 * a job of this process is on it, or when its .part file grew in the last few seconds (another process, e.g.
 * the CLI while the app is open).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetInfo } from '../../../common/contract/datasets';
import { OodlabError } from '../../../common/contract/errors';
import { benchmarkGroups } from '../../../common/ood/groups';
import { writeJsonAtomic } from '../runs/atomic';
import {
  CacheDamagedError,
  checkCacheSizes,
  datasetDir,
  manifestPath,
  readManifest,
  verifyCache,
  type CacheManifest,
} from './cache';
import { customManifests, customStatus } from './custom/list';
import { md5File } from './md5';
import { partPath } from './download';
import { datasetIds, datasetSpec, isDatasetId, type DatasetId } from './registry';

const RECENT_MS = 15_000;

async function dirBytes(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const sizes = await Promise.all(
    names.map((n) =>
      stat(join(dir, n)).then(
        (s) => (s.isFile() ? s.size : 0),
        () => 0,
      ),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * A cache built with --no-verify says so. `verify` checks its kept archive against the published md5 now: a match
 * records it as verified; a mismatch, or no archive to check, keeps it unverified with the reason.
 */
async function provenance(
  home: string,
  m: CacheManifest,
  verify: boolean,
): Promise<{ verified?: boolean; message?: string }> {
  if (m.source.verified !== false) return {};
  const published = (isDatasetId(m.id) ? datasetSpec(m.id).source?.md5 : undefined) ?? m.source.md5;
  const unverified = (why: string) => ({ verified: false, message: `unverified: ${why}` });
  if (!verify) return unverified('imported without checking the published md5 (--no-verify).');
  const archive = join(datasetDir(home, m.id), m.source.file);
  const got = await md5File(archive).catch(() => null);
  if (got === null) return unverified(`the archive ${archive} is not kept, so its md5 cannot be checked.`);
  if (got !== published) return unverified(`the archive's md5 is ${got}, not the published ${published}.`);
  const { verified: _, ...source } = m.source;
  await writeJsonAtomic(manifestPath(home, m.id), { ...m, source });
  return {};
}

export async function datasetStatus(
  home: string,
  id: DatasetId | string,
  o: { verify?: boolean; active?: ReadonlySet<string> } = {},
): Promise<DatasetInfo> {
  if (!isDatasetId(id)) {
    const m = await readManifest(home, id).catch(() => null);
    if (!m?.custom) throw new OodlabError('not_found', `There is no data set '${id}'.`);
    return customStatus(home, m, await dirBytes(datasetDir(home, id)), o.verify);
  }
  const spec = datasetSpec(id);
  const g = benchmarkGroups('cifar100');
  const group: 'near' | 'far' | undefined = g?.near.includes(id)
    ? 'near'
    : g?.far.includes(id)
      ? 'far'
      : undefined;
  const base = {
    id,
    name: spec.name,
    role: spec.role,
    synthetic: !spec.source,
    sourceUrl: spec.source?.url ?? null,
    downloadBytes: spec.source?.approxBytes ?? null,
    counts: spec.counts,
    classes: spec.classNames.length,
    classNames: spec.classNames,
    ...(group ? { group } : {}),
  };
  if (!spec.source) return { ...base, status: 'ready', sizeOnDisk: 0 };
  const dir = datasetDir(home, id);
  const sizeOnDisk = await dirBytes(dir);
  const part = await stat(partPath(join(dir, spec.source.file))).catch(() => null);
  const downloading = o.active?.has(id) || (part !== null && Date.now() - part.mtimeMs < RECENT_MS);
  try {
    const m = await readManifest(home, id);
    if (m) {
      const problem = o.verify ? await verifyCache(home, m) : await checkCacheSizes(home, m);
      if (!problem)
        return {
          ...base,
          status: 'ready',
          sizeOnDisk,
          classes: m.classNames.length,
          classNames: m.classNames,
          ...(await provenance(home, m, o.verify ?? false)),
        };
      return { ...base, status: downloading ? 'downloading' : 'corrupt', sizeOnDisk, message: problem };
    }
  } catch (err) {
    if (!(err instanceof CacheDamagedError)) throw err;
    return { ...base, status: downloading ? 'downloading' : 'corrupt', sizeOnDisk, message: err.message };
  }
  if (downloading) return { ...base, status: 'downloading', sizeOnDisk };
  const message = part
    ? `A partial download (${part.size} bytes) is kept: download again to resume.`
    : undefined;
  return { ...base, status: 'missing', sizeOnDisk, ...(message ? { message } : {}) };
}

export async function listDatasets(
  home: string,
  o: { verify?: boolean; active?: ReadonlySet<string> } = {},
): Promise<DatasetInfo[]> {
  const custom = await customManifests(home);
  return Promise.all([
    ...datasetIds.map((id) => datasetStatus(home, id, o)),
    ...custom.map(async (m) => customStatus(home, m, await dirBytes(datasetDir(home, m.id)), o.verify)),
  ]);
}
