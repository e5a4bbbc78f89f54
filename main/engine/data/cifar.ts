/**
 * CIFAR-100 binary version: each record is 3074 bytes, coarse label, fine label, then the 32x32 red plane, green
 * plane and blue plane, each row-major. We turn planes into interleaved NHWC RGB, which is what tfjs takes.
 * The archive (cifar-100-binary/{train.bin,test.bin,fine_label_names.txt,coarse_label_names.txt}) is read as a
 * stream; the label-name files are optional (the built-in names are the same list).
 */
import { OodlabError } from '../../../common/contract/errors';
import type { SplitData } from './cache';
import { CIFAR100_COARSE, CIFAR100_FINE } from './class-names';
import { parseCifarBinary, readCifarMembers, textLines } from './cifar-binary';

export const CIFAR_RECORD = 3074;

export function parseCifarRecords(buf: Uint8Array, what: string): Required<SplitData> {
  const {
    images,
    labels: [coarse, labels],
  } = parseCifarBinary(buf, what, 2, 'CIFAR-100');
  const k = coarse.findIndex((c, i) => c >= 20 || labels[i] >= 100);
  if (k >= 0)
    throw new OodlabError(
      'failed',
      `${what}: record ${k} has labels coarse=${coarse[k]} fine=${labels[k]} (expected < 20 and < 100): not CIFAR-100 binary data.`,
    );
  return { images, labels, coarse };
}

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
  // What the set can hold: its records, the label names and tar's headers; a bomb stops at that, not at gigabytes.
  const records = (o.counts?.train ?? 50_000) + (o.counts?.test ?? 10_000);
  const files = await readCifarMembers(
    archive,
    {
      folder: 'cifar-100-binary',
      set: 'CIFAR-100',
      required: ['train.bin', 'test.bin'],
      optional: ['fine_label_names.txt', 'coarse_label_names.txt'],
    },
    {
      signal: o.signal,
      onRead: o.onRead,
      maxBytes: records * CIFAR_RECORD + 2 ** 20,
      maxFileBytes: records * CIFAR_RECORD,
    },
  );
  const fine = files.has('fine_label_names.txt')
    ? textLines(files.get('fine_label_names.txt')!)
    : CIFAR100_FINE;
  const coarse = files.has('coarse_label_names.txt')
    ? textLines(files.get('coarse_label_names.txt')!)
    : CIFAR100_COARSE;
  return {
    train: parseCifarRecords(files.get('train.bin')!, 'train.bin'),
    test: parseCifarRecords(files.get('test.bin')!, 'test.bin'),
    classNames: fine.length === 100 ? fine : CIFAR100_FINE,
    coarseClassNames: coarse.length === 20 ? coarse : CIFAR100_COARSE,
  };
}
