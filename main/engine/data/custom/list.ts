/**
 * The sets the user added, found by their manifests under datasets/ (a folder without a complete manifest is not
 * a set: an add that failed or was cancelled leaves nothing a listing could mistake for one), and how each shows
 * on the Datasets page.
 */
import { readdir } from 'node:fs/promises';
import type { DatasetInfo } from '../../../../common/contract/datasets';
import { homePaths } from '../../runs/home';
import { checkCacheSizes, readManifest, verifyCache, type CacheManifest } from '../cache';
import { isDatasetId } from '../registry';
import { CUSTOM_ID } from './meta';

export async function customManifests(home: string): Promise<CacheManifest[]> {
  const names = await readdir(homePaths(home).datasets).catch(() => [] as string[]);
  const out: CacheManifest[] = [];
  for (const n of names.sort()) {
    if (isDatasetId(n) || !CUSTOM_ID.test(n)) continue;
    const m = await readManifest(home, n).catch(() => null);
    if (m?.custom) out.push(m);
  }
  return out;
}

export async function customStatus(
  home: string,
  m: CacheManifest,
  sizeOnDisk: number,
  verify = false,
): Promise<DatasetInfo> {
  const c = m.custom!;
  const problem = verify ? await verifyCache(home, m) : await checkCacheSizes(home, m);
  const split =
    c.split.kind === 'seeded'
      ? `seeded ${Math.round(c.split.trainFraction * 100)}/${Math.round(100 - c.split.trainFraction * 100)} split (seed ${c.split.seed})`
      : c.split.kind === 'given'
        ? 'its own train/test split'
        : 'OOD: all images';
  return {
    id: m.id,
    name: c.name,
    role: c.role,
    synthetic: false,
    status: problem ? 'corrupt' : 'ready',
    sizeOnDisk,
    downloadBytes: null,
    sourceUrl: null,
    counts: { ...(m.splits.train ? { train: m.splits.train.n } : {}), test: m.splits.test?.n ?? 0 },
    classes: m.classNames.length,
    classNames: m.classNames,
    ...(problem ? { message: problem } : {}),
    custom: { path: c.path, kind: c.kind, split, skipped: c.skipped.count, skippedFirst: c.skipped.first },
  };
}
