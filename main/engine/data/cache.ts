/**
 * The converted form of each set: raw uint8 N x 32 x 32 x 3 (NHWC, RGB) and int32 little-endian labels per split,
 * plus manifest.json with every file's size and sha256, under <home>/datasets/<id>/. Reading is one readFile per
 * file (CIFAR-100 train, 154 MB, loads in a fraction of a second). The manifest is written last and atomically,
 * so its presence means the whole cache is there; a size or checksum mismatch is reported as damage. A file whose
 * checksum passed is stamped (size, mtime) in verified.json, so later loads of the unchanged file skip the hash;
 * any rewrite changes its mtime and brings the full check back.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OodlabError } from '../../../common/contract/errors';
import { writeFileAtomic, writeJsonAtomic } from '../runs/atomic';
import { homePaths } from '../runs/home';
import type { CustomMeta } from './custom/meta';
import type { NormStats } from './norm';

export type Split = 'train' | 'test';
/** A built-in set's id or the id of a set the user added. */
export type DatasetId = string;

export interface CachedFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface CacheManifest {
  format: 'oodlab-dataset-cache';
  version: 1;
  id: DatasetId;
  createdAt: string;
  /**
   * Where the cache came from. `verified: false`: the archive was imported or downloaded with --no-verify, so md5 is
   * only the published one it was never checked against (absent: verified, as every cache before this field).
   */
  source: { file: string; md5: string; url?: string; verified?: boolean };
  classNames: string[];
  coarseClassNames?: string[];
  /** ID sets: per-channel statistics of the training split, used to normalise inputs. */
  norm?: NormStats;
  /** A set the user added (datasets add): where it came from and what was skipped. */
  custom?: CustomMeta;
  splits: Partial<Record<Split, { n: number; images: CachedFile; labels: CachedFile; coarse?: CachedFile }>>;
}

/** What a parser hands to the cache for one split. */
export interface SplitData {
  images: Uint8Array;
  labels: Int32Array;
  coarse?: Int32Array;
}

export class CacheDamagedError extends OodlabError {
  constructor(message: string) {
    super('failed', message);
  }
}

export const datasetDir = (home: string, id: DatasetId) => join(homePaths(home).datasets, id);
export const manifestPath = (home: string, id: DatasetId) => join(datasetDir(home, id), 'manifest.json');

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const bytesOf = (a: Uint8Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

async function writePart(dir: string, name: string, data: Uint8Array | Int32Array): Promise<CachedFile> {
  const b = bytesOf(data);
  await writeFileAtomic(join(dir, name), b);
  return { name, bytes: b.byteLength, sha256: sha256(b) };
}

export async function writeCache(
  home: string,
  id: DatasetId,
  meta: Pick<CacheManifest, 'source' | 'classNames' | 'coarseClassNames' | 'norm' | 'custom'>,
  splits: Partial<Record<Split, SplitData>>,
): Promise<CacheManifest> {
  const dir = datasetDir(home, id);
  const manifest: CacheManifest = {
    format: 'oodlab-dataset-cache',
    version: 1,
    id,
    createdAt: new Date().toISOString(),
    ...meta,
    splits: {},
  };
  for (const split of ['train', 'test'] as const) {
    const s = splits[split];
    if (!s) continue;
    const n = s.labels.length;
    if (s.images.length !== n * 3072)
      throw new OodlabError('internal', `${id}/${split}: ${s.images.length} image bytes for ${n} labels.`);
    manifest.splits[split] = {
      n,
      images: await writePart(dir, `${split}-images.u8`, s.images),
      labels: await writePart(dir, `${split}-labels.i32`, s.labels),
      coarse: s.coarse && (await writePart(dir, `${split}-coarse.i32`, s.coarse)),
    };
  }
  await writeJsonAtomic(manifestPath(home, id), manifest);
  return manifest;
}

/** The manifest, or null when there is none; a manifest that cannot be read is damage. */
export async function readManifest(home: string, id: DatasetId): Promise<CacheManifest | null> {
  let text: string;
  try {
    text = await readFile(manifestPath(home, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const m = JSON.parse(text) as CacheManifest;
    if (m.format !== 'oodlab-dataset-cache' || m.version !== 1 || !m.splits)
      throw new Error('unknown layout');
    return m;
  } catch (err) {
    throw new CacheDamagedError(`The cache manifest of ${id} is unreadable (${(err as Error).message}).`);
  }
}

function cachedFiles(m: CacheManifest): CachedFile[] {
  return Object.values(m.splits).flatMap((s) => [s.images, s.labels, ...(s.coarse ? [s.coarse] : [])]);
}

/** Cheap check (sizes only) used by listings; null when intact, else what is wrong. */
export async function checkCacheSizes(home: string, m: CacheManifest): Promise<string | null> {
  for (const f of cachedFiles(m)) {
    const st = await stat(join(datasetDir(home, m.id), f.name)).catch(() => null);
    if (!st) return `${f.name} is missing`;
    if (st.size !== f.bytes) return `${f.name} has ${st.size} bytes, expected ${f.bytes}`;
  }
  return null;
}

type Stamps = Record<string, { sha256: string; bytes: number; mtimeMs: number }>;
const stampsPath = (home: string, id: DatasetId) => join(datasetDir(home, id), 'verified.json');
/** Only a shortcut: an unreadable file (cut by a crash) means "check everything again". */
async function readStamps(home: string, id: DatasetId): Promise<Stamps> {
  try {
    return JSON.parse(await readFile(stampsPath(home, id), 'utf8')) as Stamps;
  } catch {
    return {};
  }
}

async function readVerified(
  home: string,
  id: DatasetId,
  f: CachedFile,
  stamps: Stamps | null,
): Promise<Buffer> {
  const path = join(datasetDir(home, id), f.name);
  let b: Buffer;
  let mtimeMs: number;
  try {
    [b, { mtimeMs }] = await Promise.all([readFile(path), stat(path)]);
  } catch {
    throw new CacheDamagedError(`The cached ${id} is damaged: ${f.name} is missing.`);
  }
  if (b.byteLength !== f.bytes)
    throw new CacheDamagedError(
      `The cached ${id} is damaged: ${f.name} has ${b.byteLength} bytes, expected ${f.bytes}.`,
    );
  const st = stamps?.[f.name];
  if (st && st.sha256 === f.sha256 && st.bytes === f.bytes && st.mtimeMs === mtimeMs) return b;
  if (sha256(b) !== f.sha256)
    throw new CacheDamagedError(`The cached ${id} is damaged: ${f.name} fails its checksum.`);
  if (stamps) stamps[f.name] = { sha256: f.sha256, bytes: f.bytes, mtimeMs };
  return b;
}

const int32s = (b: Buffer) => new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);

export async function readCacheSplit(
  home: string,
  m: CacheManifest,
  split: Split,
): Promise<{ images: Uint8Array; labels: Int32Array; coarse?: Int32Array; n: number }> {
  const s = m.splits[split];
  if (!s) throw new OodlabError('invalid_request', `${m.id} has no '${split}' split.`);
  const stamps = await readStamps(home, m.id).catch(() => ({}) as Stamps);
  const before = JSON.stringify(stamps);
  const [img, lab, coarse] = await Promise.all([
    readVerified(home, m.id, s.images, stamps),
    readVerified(home, m.id, s.labels, stamps),
    s.coarse ? readVerified(home, m.id, s.coarse, stamps) : undefined,
  ]);
  if (JSON.stringify(stamps) !== before)
    await writeJsonAtomic(stampsPath(home, m.id), stamps).catch(() => undefined);
  // readFile's Buffers may sit at any offset of a shared pool only when small; copy labels to be safe on alignment
  const labels = lab.byteOffset % 4 === 0 ? int32s(lab) : new Int32Array(new Uint8Array(lab).buffer);
  const coarseLabels =
    coarse && (coarse.byteOffset % 4 === 0 ? int32s(coarse) : new Int32Array(new Uint8Array(coarse).buffer));
  return {
    images: new Uint8Array(img.buffer, img.byteOffset, img.byteLength),
    labels,
    coarse: coarseLabels,
    n: s.n,
  };
}

/** Full verification (every checksum): null when intact, else what is wrong. */
export async function verifyCache(home: string, m: CacheManifest): Promise<string | null> {
  for (const f of cachedFiles(m)) {
    try {
      await readVerified(home, m.id, f, null);
    } catch (err) {
      return (err as Error).message;
    }
  }
  return null;
}
