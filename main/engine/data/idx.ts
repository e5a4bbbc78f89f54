/**
 * MNIST's IDX files (gzip-compressed, as published): a big-endian header, magic 0x00000803 with three dims
 * (N, 28, 28) for images or 0x00000801 with one dim (N) for labels, then unsigned bytes. A far-OOD set for CIFAR
 * models, so each grey 28x28 digit becomes a 32x32 RGB image: bilinear resampling with half-pixel centres (what
 * torchvision's Resize(32) does for an upscale, where antialiasing plays no part), grey copied into R, G and B.
 * Decompression is capped at the size a header can claim, so a gzip bomb ends in an error, not in memory
 * exhaustion.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { OodlabError } from '../../../common/contract/errors';
import type { SplitData } from './cache';

const gunzipAsync = promisify(gunzip);
/** MNIST's training images are 47 MB uncompressed; nothing bigger is an IDX file we read. */
const MAX_IDX_BYTES = 64 << 20;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdx(buf: Uint8Array, what: string): IdxArray {
  const bad = (why: string) =>
    new OodlabError('failed', `${what} is not an IDX file of unsigned bytes: ${why}.`);
  if (buf.length < 8) throw bad(`${buf.length} bytes`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0x08) throw bad('wrong magic number');
  const rank = buf[3];
  if (rank < 1 || rank > 3 || buf.length < 4 + 4 * rank) throw bad(`rank ${rank}`);
  const dims = Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k));
  const size = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (buf.length - start !== size)
    throw bad(`the header promises ${size} values, the file holds ${buf.length - start} (truncated?)`);
  return { dims, data: buf.subarray(start) };
}

export async function readIdxGz(path: string): Promise<IdxArray> {
  const gz = await readFile(path);
  let raw: Buffer;
  try {
    raw = await gunzipAsync(gz, { maxOutputLength: MAX_IDX_BYTES });
  } catch (err) {
    throw new OodlabError('failed', `${path} is not a readable gzip file (${(err as Error).message}).`);
  }
  return parseIdx(raw, path);
}

/** Bilinear resize of one grey h x w image to 32x32 RGB (half-pixel centres, edges clamped). */
export function grey28To32Rgb(src: Uint8Array, h: number, w: number, out: Uint8Array, at: number): void {
  const S = 32;
  for (let i = 0; i < S; i++) {
    const y = Math.min(Math.max(((i + 0.5) * h) / S - 0.5, 0), h - 1);
    const y0 = Math.floor(y);
    const y1 = Math.min(y0 + 1, h - 1);
    const fy = y - y0;
    for (let j = 0; j < S; j++) {
      const x = Math.min(Math.max(((j + 0.5) * w) / S - 0.5, 0), w - 1);
      const x0 = Math.floor(x);
      const x1 = Math.min(x0 + 1, w - 1);
      const fx = x - x0;
      const top = src[y0 * w + x0] * (1 - fx) + src[y0 * w + x1] * fx;
      const bottom = src[y1 * w + x0] * (1 - fx) + src[y1 * w + x1] * fx;
      const v = Math.round(top * (1 - fy) + bottom * fy);
      const d = at + (i * S + j) * 3;
      out[d] = out[d + 1] = out[d + 2] = v;
    }
  }
}

/** Images and labels IDX pairs, in order, as one 32x32 RGB split (MNIST: train then test = 70,000 images). */
export async function readMnist(
  pairs: { images: string; labels: string }[],
  o: { signal?: AbortSignal } = {},
): Promise<SplitData> {
  const parts: { img: IdxArray; lab: IdxArray }[] = [];
  for (const p of pairs) {
    const img = await readIdxGz(p.images);
    const lab = await readIdxGz(p.labels);
    if (img.dims.length !== 3 || lab.dims.length !== 1 || img.dims[0] !== lab.dims[0])
      throw new OodlabError(
        'failed',
        `${p.images} (${img.dims.join('x')}) and ${p.labels} (${lab.dims.join('x')}) are not an images/labels pair.`,
      );
    parts.push({ img, lab });
  }
  const n = parts.reduce((s, p) => s + p.lab.dims[0], 0);
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  let k = 0;
  for (const { img, lab } of parts) {
    const [count, h, w] = img.dims;
    for (let t = 0; t < count; t++, k++) {
      if (o.signal?.aborted) throw new OodlabError('cancelled', 'Cancelled while converting MNIST.');
      grey28To32Rgb(img.data.subarray(t * h * w, (t + 1) * h * w), h, w, images, k * 3072);
      labels[k] = lab.data[t];
    }
  }
  return { images, labels };
}
