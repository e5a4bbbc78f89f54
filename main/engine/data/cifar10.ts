/**
 * CIFAR-10 binary version (cifar-10-binary.tar.gz): cifar-10-batches-bin/data_batch_1..5.bin hold the 50,000
 * training images and test_batch.bin the 10,000 test images, each record 3073 bytes: the label (0..9), then the
 * 32x32 red, green and blue planes, row-major. Batches are concatenated in their numbered order (the order every
 * loader uses), planes become interleaved NHWC RGB. batches.meta.txt, when present, names the classes.
 */
import { OodlabError } from '../../../common/contract/errors';
import type { SplitData } from './cache';
import { CIFAR10_CLASSES } from './class-names';
import { readTar } from './tar-read';

export const CIFAR10_RECORD = 3073;

export function parseCifar10Records(buf: Uint8Array, what: string): SplitData {
  if (buf.length === 0 || buf.length % CIFAR10_RECORD !== 0)
    throw new OodlabError(
      'failed',
      `${what} has ${buf.length} bytes, not a whole number of ${CIFAR10_RECORD}-byte CIFAR-10 records (truncated or not CIFAR-10).`,
    );
  const n = buf.length / CIFAR10_RECORD;
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const r = k * CIFAR10_RECORD;
    labels[k] = buf[r];
    if (labels[k] >= 10)
      throw new OodlabError(
        'failed',
        `${what}: record ${k} has label ${labels[k]} (expected 0..9): not CIFAR-10 binary data.`,
      );
    const dst = k * 3072;
    for (let p = 0; p < 1024; p++) {
      images[dst + 3 * p] = buf[r + 1 + p];
      images[dst + 3 * p + 1] = buf[r + 1025 + p];
      images[dst + 3 * p + 2] = buf[r + 2049 + p];
    }
  }
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
  const files = new Map<string, Buffer>();
  const base = (p: string) => p.split('/').pop() ?? p;
  const trainFiles = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);
  const wanted = new Set([...trainFiles, 'test_batch.bin', 'batches.meta.txt']);
  await readTar(archive, {
    want: (p) => wanted.has(base(p)),
    onFile: (p, data) => files.set(base(p), data),
    signal: o.signal,
    onRead: o.onRead,
  });
  for (const f of [...trainFiles, 'test_batch.bin'])
    if (!files.has(f))
      throw new OodlabError(
        'failed',
        `${archive} has no cifar-10-batches-bin/${f}: not the CIFAR-10 binary archive.`,
      );
  const meta = files.get('batches.meta.txt');
  const names = meta
    ?.toString('utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    train: concat(trainFiles.map((f) => parseCifar10Records(files.get(f)!, f))),
    test: parseCifar10Records(files.get('test_batch.bin')!, 'test_batch.bin'),
    classNames: names?.length === 10 ? names : CIFAR10_CLASSES,
  };
}
