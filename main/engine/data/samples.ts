/** A few images of a set as PNG data URLs, for the Datasets page and `oodlab datasets sample`. */
import sharp from 'sharp';
import { OodlabError } from '../../../common/contract/errors';
import type { DatasetSample } from '../../../common/contract/datasets';
import { loadImageSet } from './load';

export async function pngOf(images: Uint8Array, index: number, scale: number): Promise<Buffer> {
  const px = Buffer.from(images.buffer, images.byteOffset + index * 3072, 3072);
  return sharp(px, { raw: { width: 32, height: 32, channels: 3 } })
    .resize(32 * scale, 32 * scale, { kernel: 'nearest' })
    .png()
    .toBuffer();
}

export async function samplesFor(
  home: string,
  o: { id: string; count: number; split?: 'train' | 'test'; indices?: number[]; scale: number },
): Promise<{ n: number; split: 'train' | 'test'; samples: DatasetSample[] }> {
  const split = o.split ?? 'test'; // smaller than train, and every set has it
  const set = await loadImageSet(home, o.id, split);
  const indices =
    o.indices ??
    Array.from({ length: Math.min(o.count, set.n) }, (_, k) =>
      Math.floor((k * set.n) / Math.min(o.count, set.n)),
    );
  const bad = indices.find((i) => i >= set.n);
  if (bad !== undefined)
    throw new OodlabError('invalid_request', `Index ${bad} is outside 0..${set.n - 1} of ${o.id}/${split}.`);
  const samples = await Promise.all(
    indices.map(async (index) => ({
      index,
      label: set.labels[index],
      className: set.classNames[set.labels[index]] ?? String(set.labels[index]),
      dataUrl: `data:image/png;base64,${(await pngOf(set.images, index, o.scale)).toString('base64')}`,
    })),
  );
  return { n: set.n, split, samples };
}
