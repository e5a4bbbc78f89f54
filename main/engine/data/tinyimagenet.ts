/**
 * Tiny ImageNet (tiny-imagenet-200.zip): a near-OOD set for CIFAR models, read from its 10,000 validation images
 * tiny-imagenet-200/val/images/val_<k>.JPEG (64x64), labelled by val/val_annotations.txt (file, wnid, box). Labels
 * index the sorted wnids of wnids.txt (ImageFolder's order); words.txt gives each wnid a readable name (its first
 * synonym). Images are decoded with sharp and brought to 32x32 like DTD's, and stored in file-name order.
 */
import { OodlabError } from '../../../common/contract/errors';
import type { SplitData } from './cache';
import { toThumb32 } from './dtd';
import { readZip } from './zip-read';

const lines = (b: Buffer) =>
  b
    .toString('utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim());

export async function readTinyImageNet(
  archive: string,
  o: { signal?: AbortSignal; onRead?: (b: number) => void } = {},
): Promise<SplitData & { classNames: string[] }> {
  const images = new Map<string, Buffer>();
  const text = new Map<string, Buffer>();
  const image = /(?:^|\/)val\/images\/([^/]+\.jpe?g)$/i;
  const meta = /(?:^|\/)(val\/val_annotations\.txt|wnids\.txt|words\.txt)$/;
  await readZip(archive, {
    want: (p) => image.test(p) || (meta.test(p) && !/\/(train|test)\//.test(p)),
    onFile: async (p, data) => {
      const m = image.exec(p);
      if (m) images.set(m[1], await toThumb32(data, p));
      else text.set(meta.exec(p)![1], data);
    },
    signal: o.signal,
    onRead: o.onRead,
  });
  const ann = text.get('val/val_annotations.txt');
  if (!ann || images.size === 0)
    throw new OodlabError(
      'failed',
      `${archive} has no tiny-imagenet-200/val/images and val_annotations.txt: not the Tiny ImageNet archive.`,
    );
  const wnidOf = new Map(lines(ann).map((l) => l.split('\t').slice(0, 2) as [string, string]));
  const wnids = text.has('wnids.txt')
    ? lines(text.get('wnids.txt')!).map((l) => l.trim())
    : [...new Set(wnidOf.values())];
  wnids.sort();
  const words = new Map(
    lines(text.get('words.txt') ?? Buffer.alloc(0)).map((l) => {
      const [id, name = ''] = l.split('\t');
      return [id, name.split(',')[0].trim()];
    }),
  );
  const names = [...images.keys()].sort();
  const out = new Uint8Array(names.length * 3072);
  const labels = new Int32Array(names.length);
  names.forEach((f, k) => {
    const label = wnids.indexOf(wnidOf.get(f) ?? '');
    if (label < 0)
      throw new OodlabError('failed', `${archive}: val_annotations.txt gives no known class for ${f}.`);
    out.set(images.get(f)!, k * 3072);
    labels[k] = label;
  });
  return { images: out, labels, classNames: wnids.map((w) => words.get(w) || w) };
}
