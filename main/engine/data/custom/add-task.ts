/**
 * The 'datasets.add' job: a user's folder of images or NumPy arrays becomes a data set in the same compact cache as
 * the built-in ones (uint8 32x32 RGB + int32 labels, datasets/<id>/), so training, feature extraction and every
 * detector read it like CIFAR-100. Images are decoded and resized with sharp (shorter side to 32, centre crop, grey
 * to three channels); an image sharp cannot read is skipped and counted, the first few named. An ID set without a
 * split of its own gets a seeded, per-class 80/20 split, recorded in the manifest with its seed; its normalisation
 * statistics come from its training split. The manifest is written last and a failure or cancel removes the
 * folder, so a set is either complete or absent. The user's files are only ever read.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import { OodlabError } from '../../../../common/contract/errors';
import type { TaskFn } from '../../task';
import { datasetDir, manifestPath, writeCache, type SplitData } from '../cache';
import { toThumb32 } from '../dtd';
import { channelStats } from '../norm';
import { mulberry32, shuffle } from '../rng';
import { readNpyFile, readNpz, toImages } from './arrays';
import { customIdOf, type CustomMeta } from './meta';
import { scanFolder, shortPath, type ImageFile } from './scan';

export const AddParams = z
  .object({
    path: z.string().min(1),
    name: z.string().min(1).max(80),
    role: z.enum(['id', 'ood']),
    size: z.literal(32).default(32),
    /** For a pair of .npy files: the labels file (path is the images file). */
    labels: z.string().min(1).optional(),
    seed: z.number().int().default(0),
    trainFraction: z.number().gt(0).lt(1).default(0.8),
  })
  .strict();
export type AddParams = z.infer<typeof AddParams>;

const SKIPPED_NAMED = 5;

async function decodeAll(
  root: string,
  files: ImageFile[],
  signal: AbortSignal,
  tick: () => void,
  skipped: string[],
): Promise<SplitData> {
  const px: (Buffer | null)[] = new Array(files.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const k = next++;
      if (signal.aborted) throw new OodlabError('cancelled', 'Adding the data set was cancelled.');
      try {
        px[k] = await toThumb32(await readFile(files[k].path), files[k].path);
      } catch {
        skipped.push(shortPath(root, files[k].path));
      }
      tick();
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const kept = files.flatMap((f, k) => (px[k] ? [{ px: px[k], label: f.label }] : []));
  const images = new Uint8Array(kept.length * 3072);
  kept.forEach((f, k) => images.set(f.px, k * 3072));
  return { images, labels: Int32Array.from(kept, (f) => f.label) };
}

/** A per-class shuffled split: round(fraction * n_c) images of each class train, the rest test. */
export function seededSplit(
  labels: Int32Array,
  seed: number,
  fraction: number,
): { train: number[]; test: number[] } {
  const rng = mulberry32(seed);
  const train: number[] = [];
  const test: number[] = [];
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  for (const c of classes) {
    const idx = labels.reduce<number[]>((a, l, i) => (l === c ? (a.push(i), a) : a), []);
    const order = shuffle(idx.length, rng);
    const nTrain = Math.round(fraction * idx.length);
    order.forEach((o, k) => (k < nTrain ? train : test).push(idx[o]));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

function pick(d: SplitData, idx: number[]): SplitData {
  const images = new Uint8Array(idx.length * 3072);
  idx.forEach((i, k) => images.set(d.images.subarray(i * 3072, (i + 1) * 3072), k * 3072));
  return { images, labels: Int32Array.from(idx, (i) => d.labels[i]) };
}

export const addTask: TaskFn = async (raw, ctx) => {
  const p = AddParams.parse(raw);
  const id = customIdOf(p.name);
  if (existsSync(manifestPath(ctx.home, id)))
    throw new OodlabError(
      'conflict',
      `A data set '${id}' exists already: remove it first or choose another name.`,
    );
  const st = await stat(p.path).catch(() => null);
  if (!st) throw new OodlabError('invalid_request', `Nothing at ${p.path}.`);
  const skipped: string[] = [];
  let kind: CustomMeta['kind'];
  let classNames: string[];
  let all: SplitData | undefined;
  let given: { train: SplitData; test: SplitData } | undefined;
  try {
    if (st.isDirectory()) {
      const scan = await scanFolder(p.path, p.role);
      kind = scan.kind;
      classNames = scan.classNames;
      const lists = Object.values(scan.files);
      const total = lists.reduce((s, l) => s + l.length, 0);
      let done = 0;
      const tick = () => {
        done++;
        if (done % 64 === 0 || done === total)
          ctx.progress({ fraction: (0.95 * done) / total, message: `Decoding images ${done}/${total}` });
      };
      ctx.log('info', `${total} images in ${p.path} (${kind}, ${classNames.length} classes)`);
      if (scan.files.all) all = await decodeAll(p.path, scan.files.all, ctx.signal, tick, skipped);
      else
        given = {
          train: await decodeAll(p.path, scan.files.train!, ctx.signal, tick, skipped),
          test: await decodeAll(p.path, scan.files.test!, ctx.signal, tick, skipped),
        };
    } else {
      const ext = extname(p.path).toLowerCase();
      if (ext !== '.npz' && ext !== '.npy')
        throw new OodlabError(
          'invalid_request',
          `${p.path} is a file: give a folder of images, an .npz or an .npy.`,
        );
      ctx.progress({ fraction: 0.1, message: `Reading ${p.path}` });
      const arrays =
        ext === '.npz'
          ? await readNpz(p.path)
          : { x: await readNpyFile(p.path), y: p.labels ? await readNpyFile(p.labels) : undefined };
      if (p.role === 'id' && !arrays.y)
        throw new OodlabError(
          'invalid_request',
          ext === '.npz'
            ? `${p.path} has no labels y: an ID set needs them.`
            : 'An ID set from .npy needs its labels: give --labels y.npy.',
        );
      kind = ext === '.npz' ? 'npz' : 'npy';
      ctx.progress({ fraction: 0.3, message: 'Converting the arrays' });
      const a = await toImages(arrays.x, p.role === 'id' ? arrays.y : undefined, p.path);
      const nClasses = a.labels ? Math.max(...a.labels) + 1 : 1;
      classNames = p.role === 'id' ? Array.from({ length: nClasses }, (_, k) => `class-${k}`) : ['ood'];
      if (p.role === 'id' && new Set(a.labels).size < 2)
        throw new OodlabError(
          'invalid_request',
          `${p.path}: y holds one class: an ID set needs at least two.`,
        );
      all = { images: a.images, labels: a.labels ?? new Int32Array(a.n) };
    }
    if (ctx.signal.aborted) throw new OodlabError('cancelled', 'Adding the data set was cancelled.');
    const n = all ? all.labels.length : given!.train.labels.length + given!.test.labels.length;
    if (n === 0)
      throw new OodlabError(
        'invalid_request',
        `None of the images of ${p.path} could be read (${skipped.length} skipped, e.g. ${skipped[0]}).`,
      );
    let splits: { train?: SplitData; test: SplitData };
    let split: CustomMeta['split'];
    if (p.role === 'ood') {
      splits = { test: all! };
      split = { kind: 'none' };
    } else if (given) {
      splits = given;
      split = { kind: 'given' };
    } else {
      const s = seededSplit(all!.labels, p.seed, p.trainFraction);
      if (!s.test.length || !s.train.length)
        throw new OodlabError(
          'invalid_request',
          `${p.path} has too few images for a train/test split (${n}).`,
        );
      splits = { train: pick(all!, s.train), test: pick(all!, s.test) };
      split = { kind: 'seeded', seed: p.seed, trainFraction: p.trainFraction };
    }
    if (skipped.length)
      ctx.log(
        'warn',
        `${skipped.length} unreadable images skipped, e.g. ${skipped.slice(0, SKIPPED_NAMED).join(', ')}`,
      );
    ctx.progress({ fraction: 0.97, message: 'Writing the cache' });
    const custom: CustomMeta = {
      name: p.name,
      role: p.role,
      kind,
      path: p.path,
      size: p.size,
      split,
      skipped: { count: skipped.length, first: skipped.slice(0, SKIPPED_NAMED) },
      addedAt: new Date().toISOString(),
    };
    const m = await writeCache(
      ctx.home,
      id,
      {
        source: { file: p.path, md5: '' },
        classNames,
        custom,
        ...(splits.train ? { norm: channelStats(splits.train.images) } : {}),
      },
      splits,
    );
    ctx.emit('datasets.changed', { id, status: 'ready' });
    return {
      id,
      name: p.name,
      train: m.splits.train?.n ?? 0,
      test: m.splits.test?.n ?? 0,
      skipped: custom.skipped,
    };
  } catch (err) {
    await rm(datasetDir(ctx.home, id), { recursive: true, force: true });
    throw err;
  }
};
