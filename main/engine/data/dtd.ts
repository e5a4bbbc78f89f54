/**
 * DTD (Describable Textures Dataset, r1.0.1): a plain tar, despite its .tar.gz name, with
 * dtd/images/<class>/<name>.jpg for 47 classes. Each JPEG is decoded with sharp and brought to 32x32 the usual
 * way for OOD benchmarks: shorter side resized to 32, then a centre crop (sharp's fit 'cover'). Labels follow the
 * alphabetical order of the class folders, and images are stored in path order, so the cache is the same
 * whatever order the tar lists them in.
 */
import sharp from 'sharp';
import { OodlabError } from '../../../common/contract/errors';
import type { SplitData } from './cache';
import { readTar } from './tar-read';

/** Bounds that no DTD image comes near, so that a crafted JPEG or entry cannot take gigabytes to decode. */
const DTD_MAX_IMAGE_BYTES = 32 * 2 ** 20;
const DTD_MAX_PIXELS = 5000 * 5000;

/** Any image sharp reads, as 32x32 RGB bytes (HWC). */
export async function toThumb32(data: Uint8Array, what: string): Promise<Buffer> {
  try {
    const { data: px, info } = await sharp(data, { limitInputPixels: DTD_MAX_PIXELS })
      .resize(32, 32, { fit: 'cover', position: 'centre' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || px.length !== 3072) throw new Error(`decoded to ${info.channels} channels`);
    return px;
  } catch (err) {
    throw new OodlabError('failed', `Cannot decode ${what}: ${(err as Error).message}.`);
  }
}

export async function readDtdArchive(
  archive: string,
  o: { signal?: AbortSignal; onRead?: (b: number) => void; maxBytes?: number } = {},
): Promise<SplitData & { classNames: string[] }> {
  const found: { path: string; cls: string; px: Buffer }[] = [];
  const pattern = /(?:^|\/)images\/([^/]+)\/[^/]+\.jpe?g$/i;
  await readTar(archive, {
    want: (p) => pattern.test(p),
    onFile: async (p, data) =>
      found.push({ path: p, cls: pattern.exec(p)![1], px: await toThumb32(data, p) }),
    concurrency: 4,
    signal: o.signal,
    // DTD's JPEGs are at most 640 px a side (under 1 MiB); the whole tar is 625 MB.
    maxFileBytes: DTD_MAX_IMAGE_BYTES,
    maxBytes: o.maxBytes ?? 2 * 625_239_812,
    onRead: o.onRead,
  });
  if (found.length === 0)
    throw new OodlabError('failed', `${archive} has no images/<class>/*.jpg: not the DTD archive.`);
  const classNames = [...new Set(found.map((f) => f.cls))].sort();
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const images = new Uint8Array(found.length * 3072);
  const labels = new Int32Array(found.length);
  found.forEach((f, k) => {
    images.set(f.px, k * 3072);
    labels[k] = classNames.indexOf(f.cls);
  });
  return { images, labels, classNames };
}
