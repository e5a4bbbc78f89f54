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
import { CacheDamagedError, checkCacheSizes, datasetDir, readManifest, verifyCache } from './cache';
import { benchmarkGroups } from '../../../common/ood/groups';
import { customManifests, customStatus } from './custom/list';
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
