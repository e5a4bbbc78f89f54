/**
 * CIFAR-100 binary version: each record is 3074 bytes, coarse label, fine label, then the 32x32 red plane, green
 * plane and blue plane, each row-major. We turn planes into interleaved NHWC RGB, which is what tfjs takes.
 * The archive (cifar-100-binary/{train.bin,test.bin,fine_label_names.txt,coarse_label_names.txt}) is read as a
 * stream; the label-name files are optional (the built-in names are the same list).
 */
import { OodlabError } from '../../../common/contract/errors';
import type { SplitData } from './cache';
import { CIFAR100_COARSE, CIFAR100_FINE } from './class-names';
import { readTar } from './tar-read';

export const CIFAR_RECORD = 3074;

export function parseCifarRecords(buf: Uint8Array, what: string): Required<SplitData> {
  if (buf.length === 0 || buf.length % CIFAR_RECORD !== 0)
    throw new OodlabError(
      'failed',
      `${what} has ${buf.length} bytes, not a whole number of ${CIFAR_RECORD}-byte CIFAR-100 records (truncated or not CIFAR-100).`,
    );
  const n = buf.length / CIFAR_RECORD;
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  const coarse = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const r = k * CIFAR_RECORD;
    coarse[k] = buf[r];
    labels[k] = buf[r + 1];
    if (coarse[k] >= 20 || labels[k] >= 100)
      throw new OodlabError(
        'failed',
        `${what}: record ${k} has labels coarse=${coarse[k]} fine=${labels[k]} (expected < 20 and < 100): not CIFAR-100 binary data.`,
      );
    const src = r + 2;
    const dst = k * 3072;
    for (let p = 0; p < 1024; p++) {
      images[dst + 3 * p] = buf[src + p];
      images[dst + 3 * p + 1] = buf[src + 1024 + p];
      images[dst + 3 * p + 2] = buf[src + 2048 + p];
    }
  }
  return { images, labels, coarse };
}

const names = (b: Buffer) =>
  b
    .toString('utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);

export interface CifarArchive {
  train: Required<SplitData>;
  test: Required<SplitData>;
  classNames: string[];
  coarseClassNames: string[];
}

export async function readCifarArchive(
  archive: string,
  o: { signal?: AbortSignal; onRead?: (b: number) => void; counts?: { train?: number; test: number } } = {},
): Promise<CifarArchive> {
  const files = new Map<string, Buffer>();
  // What the set can hold: its records, the label names and tar's headers; a bomb stops at that, not at gigabytes.
  const records = (o.counts?.train ?? 50_000) + (o.counts?.test ?? 10_000);
  const base = (p: string) => p.split('/').pop() ?? p;
  const wanted = new Set(['train.bin', 'test.bin', 'fine_label_names.txt', 'coarse_label_names.txt']);
  await readTar(archive, {
    want: (p) => wanted.has(base(p)),
    onFile: (p, data) => files.set(base(p), data),
    signal: o.signal,
    onRead: o.onRead,
    maxBytes: records * CIFAR_RECORD + 2 ** 20,
    maxFileBytes: records * CIFAR_RECORD,
  });
  for (const f of ['train.bin', 'test.bin'])
    if (!files.has(f))
      throw new OodlabError(
        'failed',
        `${archive} has no cifar-100-binary/${f}: not the CIFAR-100 binary archive.`,
      );
  const fine = files.has('fine_label_names.txt') ? names(files.get('fine_label_names.txt')!) : CIFAR100_FINE;
  const coarse = files.has('coarse_label_names.txt')
    ? names(files.get('coarse_label_names.txt')!)
    : CIFAR100_COARSE;
  return {
    train: parseCifarRecords(files.get('train.bin')!, 'train.bin'),
    test: parseCifarRecords(files.get('test.bin')!, 'test.bin'),
    classNames: fine.length === 100 ? fine : CIFAR100_FINE,
    coarseClassNames: coarse.length === 20 ? coarse : CIFAR100_COARSE,
  };
}
