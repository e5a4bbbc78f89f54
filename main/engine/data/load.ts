/**
 * The one way the engine gets images: synthetic sets are generated in memory from their seed; real sets come from
 * the converted cache. A damaged cache is rebuilt from the kept source archive when it is still there, otherwise
 * the error says which command fixes it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OodlabError } from '../../../common/contract/errors';
import { CacheDamagedError, datasetDir, readCacheSplit, readManifest, type CacheManifest } from './cache';
import type { ImageSet } from './image-set';
import { datasetSpec, isDatasetId, type DatasetId } from './registry';
import { defaultSynthetic, syntheticOodSet, syntheticSet, type SyntheticOptions } from './synthetic';

export type { ImageSet, SyntheticOptions };

export function notDownloaded(id: DatasetId): OodlabError {
  return new OodlabError(
    'not_found',
    `${datasetSpec(id).name} is not downloaded yet: run \`oodlab download ${id}\``,
  );
}

/** Path of the kept source archive of a real set. */
export function archivePath(home: string, id: DatasetId): string | null {
  const src = datasetSpec(id).source;
  return src ? join(datasetDir(home, id), src.file) : null;
}

async function manifestOrRebuild(home: string, id: DatasetId): Promise<CacheManifest> {
  const archive = archivePath(home, id);
  let reason: string;
  try {
    const m = await readManifest(home, id);
    if (m) return m;
    reason = 'not converted yet';
  } catch (err) {
    if (!(err instanceof CacheDamagedError)) throw err;
    reason = err.message;
  }
  if (!archive || !existsSync(archive)) {
    if (reason === 'not converted yet') throw notDownloaded(id);
    throw new OodlabError(
      'failed',
      `${reason} Its source archive is gone: run \`oodlab download ${id}\` again.`,
    );
  }
  const { buildCache } = await import('./build');
  return buildCache(home, id, { archive, verify: true });
}

/** A set the user added: only its cache exists (the original folder is never read again). */
async function loadCustomSet(home: string, id: string, split: 'train' | 'test'): Promise<ImageSet> {
  const m = await readManifest(home, id);
  if (!m?.custom)
    throw new OodlabError(
      'not_found',
      `There is no data set '${id}': download a built-in one or add yours with \`oodlab datasets add\`.`,
    );
  if (m.custom.role === 'ood' && split !== 'test')
    throw new OodlabError('invalid_request', `${m.custom.name} is an OOD set: it has a 'test' split only.`);
  let data;
  try {
    data = await readCacheSplit(home, m, split);
  } catch (err) {
    if (!(err instanceof CacheDamagedError)) throw err;
    throw new OodlabError(
      'failed',
      `${err.message} Remove it (\`oodlab datasets remove ${id}\`) and add ${m.custom.path} again.`,
    );
  }
  return { images: data.images, labels: data.labels, n: data.n, classNames: m.classNames, norm: m.norm };
}

export async function loadImageSet(
  home: string,
  id: DatasetId | string,
  split: 'train' | 'test',
  synthetic?: SyntheticOptions,
): Promise<ImageSet> {
  if (!isDatasetId(id)) return loadCustomSet(home, id, split);
  const spec = datasetSpec(id);
  if (spec.role === 'ood' && split !== 'test')
    throw new OodlabError('invalid_request', `${spec.name} is an OOD set: it has a 'test' split only.`);
  if (id === 'synthetic') return syntheticSet(synthetic ?? defaultSynthetic, split);
  if (id === 'synthetic-ood') return syntheticOodSet(synthetic ?? defaultSynthetic);

  let m = await manifestOrRebuild(home, id);
  let data;
  try {
    data = await readCacheSplit(home, m, split);
  } catch (err) {
    const archive = archivePath(home, id);
    if (!(err instanceof CacheDamagedError)) throw err;
    if (!archive || !existsSync(archive))
      throw new OodlabError(
        'failed',
        `${err.message} Its source archive is gone: run \`oodlab download ${id}\` again.`,
      );
    const { buildCache } = await import('./build');
    m = await buildCache(home, id, { archive, verify: true });
    data = await readCacheSplit(home, m, split);
  }
  return {
    images: data.images,
    labels: data.labels,
    n: data.n,
    classNames: m.classNames,
    ...(data.coarse ? { coarseLabels: data.coarse, coarseClassNames: m.coarseClassNames } : {}),
    ...(m.norm ? { norm: m.norm } : {}),
  };
}
