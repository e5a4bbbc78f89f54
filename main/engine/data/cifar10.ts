/**
 * CIFAR-10 binary version (cifar-10-binary.tar.gz): cifar-10-batches-bin/data_batch_1..5.bin hold the 50,000
 * training images and test_batch.bin the 10,000 test images, each record 3073 bytes: the label (0..9), then the
 * 32x32 red, green and blue planes, row-major. Batches are concatenated in their numbered order (the order every
 * loader uses), planes become interleaved NHWC RGB. batches.meta.txt, when present, names the classes.
 */
import { OodlabError } from '../../../common/contract/errors';
import type { SplitData } from './cache';
import { CIFAR10_CLASSES } from './class-names';
import { parseCifarBinary, readCifarMembers, textLines } from './cifar-binary';

export function parseCifar10Records(buf: Uint8Array, what: string): SplitData {
  const {
    images,
    labels: [labels],
  } = parseCifarBinary(buf, what, 1, 'CIFAR-10');
  const k = labels.findIndex((l) => l >= 10);
  if (k >= 0)
    throw new OodlabError(
      'failed',
      `${what}: record ${k} has label ${labels[k]} (expected 0..9): not CIFAR-10 binary data.`,
    );
  return { images, labels };
}

const concat = (parts: SplitData[]): SplitData => ({
  images: Buffer.concat(parts.map((p) => p.images)),
  labels: Int32Array.from(parts.flatMap((p) => [...p.labels])),
});

export async function readCifar10Archive(
  archive: string,
  o: { signal?: AbortSignal; onRead?: (b: number) => void } = {},
): Promise<{ train: SplitData; test: SplitData; classNames: string[] }> {
  const trainFiles = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);
  const files = await readCifarMembers(
    archive,
    {
      folder: 'cifar-10-batches-bin',
      set: 'CIFAR-10',
      required: [...trainFiles, 'test_batch.bin'],
      optional: ['batches.meta.txt'],
    },
    { signal: o.signal, onRead: o.onRead },
  );
  const meta = files.get('batches.meta.txt');
  const names = meta && textLines(meta);
  return {
    train: concat(trainFiles.map((f) => parseCifar10Records(files.get(f)!, f))),
    test: parseCifar10Records(files.get('test_batch.bin')!, 'test_batch.bin'),
    classNames: names?.length === 10 ? names : CIFAR10_CLASSES,
  };
}
