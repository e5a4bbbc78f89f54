/**
 * Converts a verified source archive into the cache, once: parse with the set's parser, check the counts the
 * registry expects (a wrong or truncated archive must not become a "ready" set), write the cache files and,
 * last, the manifest.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OodlabError } from '../../../common/contract/errors';
import { writeCache, type CacheManifest, type SplitData, type Split } from './cache';
import { readCifarArchive } from './cifar';
import { readCifar10Archive } from './cifar10';
import { readDtdArchive } from './dtd';
import { readMnist } from './idx';
import { md5File } from './md5';
import { channelStats } from './norm';
import { readPlaces365 } from './places365';
import { datasetSpec, type DatasetId } from './registry';
import { readSvhnMat } from './svhn';
import { readTinyImageNet } from './tinyimagenet';

export interface BuildOptions {
  archive: string;
  /** Check the archive's md5 first (a rebuild from a file that may have changed since it was downloaded). */
  verify: boolean;
  /** The md5 was checked already (by the download); false records the cache as unverified. Default: verify. */
  verified?: boolean;
  signal?: AbortSignal;
  /** fraction in 0..1 of the conversion. */
  onProgress?: (fraction: number, message: string) => void;
}

export async function buildCache(home: string, id: DatasetId, o: BuildOptions): Promise<CacheManifest> {
  const spec = datasetSpec(id);
  const src = spec.source;
  if (!src) throw new OodlabError('invalid_request', `${spec.name} is generated, not converted.`);
  const size = (await stat(o.archive)).size;
  if (o.verify) {
    o.onProgress?.(0, `Checking the md5 of ${src.file}`);
    const md5 = await md5File(o.archive, o.signal);
    if (md5 !== src.md5)
      throw new OodlabError(
        'failed',
        `${o.archive} does not match the published checksum of ${spec.name} (md5 ${md5}, expected ${src.md5}): it is damaged or a different file.`,
      );
    for (const p of src.more ?? []) {
      const path = join(dirname(o.archive), p.file);
      const got = await md5File(path, o.signal).catch(() => 'missing');
      if (got !== p.md5)
        throw new OodlabError(
          'failed',
          `${path} does not match the published checksum of ${spec.name} (md5 ${got}, expected ${p.md5}).`,
        );
    }
  }
  const onRead = (b: number) => o.onProgress?.(Math.min(0.95, b / size), `Converting ${spec.name}`);
  const splits: Partial<Record<Split, SplitData>> = {};
  let classNames = spec.classNames;
  let coarseClassNames: string[] | undefined;
  if (src.format === 'cifar100-binary') {
    const c = await readCifarArchive(o.archive, { signal: o.signal, onRead, counts: spec.counts });
    splits.train = c.train;
    splits.test = c.test;
    classNames = c.classNames;
    coarseClassNames = c.coarseClassNames;
  } else if (src.format === 'svhn-mat') {
    o.onProgress?.(0.1, `Converting ${spec.name}`);
    splits.test = await readSvhnMat(o.archive, spec.counts.test);
  } else if (src.format === 'cifar10-binary') {
    const c = await readCifar10Archive(o.archive, { signal: o.signal, onRead });
    splits.train = c.train;
    splits.test = c.test;
    classNames = c.classNames;
  } else if (src.format === 'tinyimagenet-zip') {
    const t = await readTinyImageNet(o.archive, { signal: o.signal, onRead });
    splits.test = t;
    classNames = t.classNames;
  } else if (src.format === 'mnist-idx') {
    o.onProgress?.(0.1, `Converting ${spec.name}`);
    // train-images, train-labels, t10k-images, t10k-labels: the published order of the four files
    const f = [src.file, ...(src.more ?? []).map((p) => p.file)].map((n) => join(dirname(o.archive), n));
    splits.test = await readMnist(
      [
        { images: f[0], labels: f[1] },
        { images: f[2], labels: f[3] },
      ],
      { signal: o.signal },
    );
  } else if (src.format === 'places365-tar') {
    splits.test = await readPlaces365(o.archive, { signal: o.signal, onRead });
  } else {
    const d = await readDtdArchive(o.archive, {
      signal: o.signal,
      onRead,
      maxBytes: 2 * Math.max(src.approxBytes, size),
    });
    splits.test = d;
    classNames = d.classNames;
  }
  for (const split of ['train', 'test'] as const) {
    const want = spec.counts[split];
    const got = splits[split]?.labels.length;
    if (want !== undefined && got !== want)
      throw new OodlabError(
        'failed',
        `${o.archive} holds ${got ?? 0} ${split} images of ${spec.name}, expected ${want}: the archive is incomplete or not the published one.`,
      );
  }
  if (o.signal?.aborted) throw new OodlabError('cancelled', 'Cancelled before the cache was written.');
  o.onProgress?.(0.97, `Writing the ${spec.name} cache`);
  const m = await writeCache(
    home,
    id,
    {
      source: {
        file: src.file,
        md5: src.md5,
        url: src.url,
        ...((o.verified ?? o.verify) ? {} : { verified: false }),
      },
      classNames,
      coarseClassNames,
      // CIFAR-100 keeps the published constants its runs were always normalised with
      ...(spec.role === 'id' && id !== 'cifar100' && splits.train
        ? { norm: channelStats(splits.train.images) }
        : {}),
    },
    splits,
  );
  o.onProgress?.(1, `${spec.name} is ready`);
  return m;
}
