/**
 * SVHN's cropped-digit files (test_32x32.mat): X is uint8 of size 32 x 32 x 3 x N in MATLAB's column-major order
 * (row index fastest, then column, channel, image); y is N x 1 with labels 1..10, where 10 stands for the digit 0.
 * We reorder X into NHWC RGB and map label 10 to 0, so label k means digit k.
 */
import { readFile } from 'node:fs/promises';
import { OodlabError } from '../../../common/contract/errors';
import type { SplitData } from './cache';
import { readMat } from './matv5';

/** What an SVHN file of n images holds once inflated: X (uint8), y (at most float64) and headers. */
export const svhnMaxBytes = (n: number) => n * 3072 + n * 8 + 2 ** 20;

export function svhnFromMat(file: Uint8Array, what = 'SVHN file', expectedImages = 26_032): SplitData {
  const vars = readMat(file, { maxInflated: svhnMaxBytes(expectedImages) });
  const X = vars.get('X');
  const y = vars.get('y');
  if (!X || !y)
    throw new OodlabError('failed', `${what} has no X and y variables: not an SVHN *_32x32.mat file.`);
  const [h, w, c, n] = X.dims;
  if (h !== 32 || w !== 32 || c !== 3 || X.dims.length !== 4 || !(X.data instanceof Uint8Array))
    throw new OodlabError('failed', `${what}: X is ${X.cls} ${X.dims.join('x')}, expected uint8 32x32x3xN.`);
  if (y.data.length !== n)
    throw new OodlabError('failed', `${what}: ${y.data.length} labels for ${n} images.`);
  const src = X.data;
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const v = y.data[k];
    if (!(v >= 1 && v <= 10 && Number.isInteger(v)))
      throw new OodlabError('failed', `${what}: label ${v} of image ${k} is outside 1..10.`);
    labels[k] = v === 10 ? 0 : v;
    const dst = k * 3072;
    // column-major source index: i + 32*j + 1024*ch + 3072*k
    for (let ch = 0; ch < 3; ch++)
      for (let j = 0; j < 32; j++) {
        const s = 3072 * k + 1024 * ch + 32 * j;
        for (let i = 0; i < 32; i++) images[dst + (i * 32 + j) * 3 + ch] = src[s + i];
      }
  }
  return { images, labels };
}

export async function readSvhnMat(path: string, expectedImages?: number): Promise<SplitData> {
  return svhnFromMat(await readFile(path), path, expectedImages);
}
