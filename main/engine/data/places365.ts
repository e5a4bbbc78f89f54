/**
 * Places365-Standard's small-image validation archive (val_256.tar): a plain tar of val_256/Places365_val_<k>.jpg,
 * 36,500 scenes at 256x256. A far-OOD set, so its scene labels (in a separate devkit file) are not needed: every
 * image gets label 0. Decoded with sharp and brought to 32x32 like DTD's, stored in file-name order.
 */
import { OodlabError } from '../../../common/contract/errors';
import type { SplitData } from './cache';
import { toThumb32 } from './dtd';
import { readTar } from './tar-read';

export async function readPlaces365(
  archive: string,
  o: { signal?: AbortSignal; onRead?: (b: number) => void } = {},
): Promise<SplitData> {
  const found: { path: string; px: Buffer }[] = [];
  const pattern = /(?:^|\/)val_256\/[^/]+\.jpe?g$/i;
  await readTar(archive, {
    want: (p) => pattern.test(p),
    onFile: async (p, data) => found.push({ path: p, px: await toThumb32(data, p) }),
    concurrency: 4,
    signal: o.signal,
    onRead: o.onRead,
  });
  if (found.length === 0)
    throw new OodlabError('failed', `${archive} has no val_256/*.jpg: not the Places365 validation archive.`);
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const images = new Uint8Array(found.length * 3072);
  found.forEach((f, k) => images.set(f.px, k * 3072));
  return { images, labels: new Int32Array(found.length) };
}
