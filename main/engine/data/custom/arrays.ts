/**
 * A user's images as NumPy arrays: an .npz holding `x` and `y` (numpy.savez / savez_compressed; a zip of .npy
 * members, read with the same streaming zip reader as Tiny ImageNet), or a pair of .npy files. x is uint8
 * [N,H,W,C] or [N,C,H,W] with C = 1 or 3, or float in [0, 1] (scaled to 0..255 and rounded); grey becomes three
 * channels and other sizes are resized to 32x32 (shorter side, centre crop, as for image folders). y holds integer
 * labels 0..C-1 (ignored for an OOD set).
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { OodlabError } from '../../../../common/contract/errors';
import { decodeNpy, NpyFormatError, type NpyArray } from '../../features/npy';
import { readZip } from '../zip-read';

export interface ArrayImages {
  images: Uint8Array;
  labels: Int32Array | null;
  n: number;
}

function decode(buf: Uint8Array, what: string): NpyArray {
  try {
    // decodeNpy copies with slice(), which on a Buffer is a view into its whole ArrayBuffer (a small zip member
    // sits in Node's shared pool): hand it a plain Uint8Array over the same bytes, whose slice() copies
    return decodeNpy(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch (err) {
    const why = err instanceof NpyFormatError ? err.message : (err as Error).message;
    throw new OodlabError('invalid_request', `${what} is not a readable .npy array: ${why}`);
  }
}

export async function readNpz(path: string): Promise<{ x: NpyArray; y?: NpyArray }> {
  const members = new Map<string, Buffer>();
  await readZip(path, {
    want: (p) => p === 'x.npy' || p === 'y.npy',
    onFile: (p, data) => members.set(p, data),
    maxEntryBytes: 8 * 2 ** 30,
    maxRatio: Infinity,
  });
  const x = members.get('x.npy');
  if (!x)
    throw new OodlabError(
      'invalid_request',
      `${path} has no array named x (save it with numpy.savez(path, x=..., y=...)).`,
    );
  const y = members.get('y.npy');
  return { x: decode(x, `${path}:x`), ...(y ? { y: decode(y, `${path}:y`) } : {}) };
}

export const readNpyFile = async (path: string) => decode(await readFile(path), path);

/** x (and y) as 32x32 RGB uint8 images and int32 labels. */
export async function toImages(x: NpyArray, y: NpyArray | undefined, what: string): Promise<ArrayImages> {
  const s = x.shape;
  if (s.length !== 4 && s.length !== 3)
    throw new OodlabError(
      'invalid_request',
      `${what}: x has shape (${s.join(', ')}); expected (N, H, W, C), (N, C, H, W) or (N, H, W).`,
    );
  const shape = s.length === 3 ? [...s, 1] : s;
  const [n] = shape;
  const nhwc = shape[3] === 1 || shape[3] === 3;
  const nchw = !nhwc && (shape[1] === 1 || shape[1] === 3);
  if (!nhwc && !nchw)
    throw new OodlabError(
      'invalid_request',
      `${what}: x has shape (${s.join(', ')}): no axis of 1 or 3 channels.`,
    );
  const [h, w, c] = nhwc ? [shape[1], shape[2], shape[3]] : [shape[2], shape[3], shape[1]];
  if (n < 1 || h < 1 || w < 1) throw new OodlabError('invalid_request', `${what}: x holds no images.`);
  const float = x.dtype.endsWith('f4') || x.dtype.endsWith('f8');
  if (!float && !x.dtype.endsWith('u1'))
    throw new OodlabError('invalid_request', `${what}: x is ${x.dtype}; give uint8 0..255 or float 0..1.`);
  const src = x.data as Float32Array | Float64Array | Uint8Array;
  if (float)
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      if (!(v >= -1e-6 && v <= 1 + 1e-6))
        throw new OodlabError(
          'invalid_request',
          `${what}: x is float with a value ${v} outside [0, 1] (scale it to 0..1, or save uint8).`,
        );
    }
  let labels: Int32Array | null = null;
  if (y) {
    if (y.shape.length !== 1 || y.shape[0] !== n)
      throw new OodlabError(
        'invalid_request',
        `${what}: y has shape (${y.shape.join(', ')}), expected (${n},).`,
      );
    labels = Int32Array.from(y.data as ArrayLike<number | bigint>, (v) => Number(v));
    const bad = labels.findIndex((v) => !Number.isInteger(v) || v < 0);
    if (bad >= 0)
      throw new OodlabError('invalid_request', `${what}: y[${bad}] = ${labels[bad]} is not a label 0..C-1.`);
  }
  const images = new Uint8Array(n * 3072);
  const px = Buffer.alloc(h * w * 3);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let ch = 0; ch < 3; ch++) {
          const cc = c === 1 ? 0 : ch;
          const at = nhwc ? ((k * h + i) * w + j) * c + cc : ((k * c + cc) * h + i) * w + j;
          const v = float ? Math.round(src[at] * 255) : src[at];
          px[(i * w + j) * 3 + ch] = Math.min(255, Math.max(0, v));
        }
    if (h === 32 && w === 32) images.set(px, k * 3072);
    else
      images.set(
        await sharp(px, { raw: { width: w, height: h, channels: 3 } })
          .resize(32, 32, { fit: 'cover', position: 'centre' })
          .raw()
          .toBuffer(),
        k * 3072,
      );
  }
  return { images, labels, n };
}
