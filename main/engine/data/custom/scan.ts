/**
 * Finds the images of a user's folder and how they are labelled, in torchvision's ImageFolder layout:
 * PATH/<class>/*.png|jpg|jpeg|bmp|webp, or PATH/train/<class>/... with PATH/test/<class>/... (the folder's own split).
 * Class names are the folder names, sorted (ImageFolder's label order), and both splits share the training
 * split's classes. An OOD folder is any folder of images: every image below PATH, labels ignored. Paths are listed
 * sorted, so the same folder always gives the same cache. Refusals say what the layout should be.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { OodlabError } from '../../../../common/contract/errors';

export const IMAGE_EXT = /\.(png|jpe?g|bmp|webp)$/i;

export interface ImageFile {
  path: string;
  label: number;
}

export interface ScannedFolder {
  kind: 'imagefolder' | 'imagefolder-split' | 'image-folder-ood';
  classNames: string[];
  /** 'all' when the folder has no split of its own. */
  files: { train?: ImageFile[]; test?: ImageFile[]; all?: ImageFile[] };
}

const dirs = async (p: string) =>
  (await readdir(p, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();

async function imagesBelow(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string) => {
    const entries = (await readdir(p, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const q = join(p, e.name);
      if (e.isDirectory()) await walk(q);
      else if (e.isFile() && IMAGE_EXT.test(e.name)) out.push(q);
    }
  };
  await walk(root);
  return out;
}

async function byClass(root: string, classNames: string[]): Promise<ImageFile[]> {
  const files: ImageFile[] = [];
  for (const [label, c] of classNames.entries())
    for (const path of await imagesBelow(join(root, c))) files.push({ path, label });
  return files;
}

export async function scanFolder(root: string, role: 'id' | 'ood'): Promise<ScannedFolder> {
  let top: string[];
  try {
    top = await dirs(root);
  } catch (err) {
    throw new OodlabError('invalid_request', `Cannot read the folder ${root}: ${(err as Error).message}.`);
  }
  if (role === 'ood') {
    const all = await imagesBelow(root);
    if (!all.length)
      throw new OodlabError('invalid_request', `${root} holds no images (.png, .jpg, .jpeg, .bmp, .webp).`);
    return {
      kind: 'image-folder-ood',
      classNames: ['ood'],
      files: { all: all.map((path) => ({ path, label: 0 })) },
    };
  }
  const split = top.includes('train') && top.includes('test');
  const classRoot = split ? join(root, 'train') : root;
  const classNames = await dirs(classRoot);
  const noImages = `${root} holds no images in class folders: an ID set needs PATH/<class>/*.png|jpg (or PATH/train/<class>/... and PATH/test/<class>/...).`;
  if (split) {
    const train = await byClass(classRoot, classNames);
    const testClasses = await dirs(join(root, 'test'));
    const extra = testClasses.filter((c) => !classNames.includes(c));
    if (extra.length)
      throw new OodlabError(
        'invalid_request',
        `${join(root, 'test')} has classes that train/ lacks (${extra.slice(0, 3).join(', ')}): the splits must share their classes.`,
      );
    const test = await byClass(join(root, 'test'), classNames);
    if (!train.length || !test.length) throw new OodlabError('invalid_request', noImages);
    return {
      kind: 'imagefolder-split',
      classNames: checkClasses(root, classNames, train),
      files: { train, test },
    };
  }
  const all = await byClass(root, classNames);
  if (!all.length) throw new OodlabError('invalid_request', noImages);
  return { kind: 'imagefolder', classNames: checkClasses(root, classNames, all), files: { all } };
}

function checkClasses(root: string, classNames: string[], files: ImageFile[]): string[] {
  const used = new Set(files.map((f) => f.label));
  if (used.size < 2)
    throw new OodlabError(
      'invalid_request',
      `${root} has images of ${used.size} class${used.size === 1 ? ` (${classNames[[...used][0]]})` : 'es'}: an ID set needs at least two class folders. Add it with --role ood to use it as outliers.`,
    );
  return classNames;
}

export const shortPath = (root: string, p: string) => relative(root, p) || p;
