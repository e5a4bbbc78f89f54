/**
 * The binary CIFAR format both sets share: records of label bytes (CIFAR-10: the label; CIFAR-100: coarse, then
 * fine), then the 32x32 red, green and blue planes, each row-major; inside a tar whose members are named by their
 * base name. Planes become interleaved NHWC RGB, which is what tfjs takes.
 */
import { OodlabError } from '../../../common/contract/errors';
import { readTar, type TarReadOptions } from './tar-read';

const PIXELS = 3072;

/**
 * Splits `buf` into records of `labelBytes` label bytes and one image each: images (NHWC RGB) and labels[j], the
 * j-th label byte of every record. `set` names the data set in the error for a buffer that is not whole records.
 */
export function parseCifarBinary(
  buf: Uint8Array,
  what: string,
  labelBytes: number,
  set: string,
): { images: Uint8Array; labels: Int32Array[] } {
  const record = labelBytes + PIXELS;
  if (buf.length === 0 || buf.length % record !== 0)
    throw new OodlabError(
      'failed',
      `${what} has ${buf.length} bytes, not a whole number of ${record}-byte ${set} records (truncated or not ${set}).`,
    );
  const n = buf.length / record;
  const images = new Uint8Array(n * PIXELS);
  const labels = Array.from({ length: labelBytes }, () => new Int32Array(n));
  for (let k = 0; k < n; k++) {
    const r = k * record;
    for (let j = 0; j < labelBytes; j++) labels[j][k] = buf[r + j];
    const src = r + labelBytes;
    const dst = k * PIXELS;
    for (let p = 0; p < 1024; p++) {
      images[dst + 3 * p] = buf[src + p];
      images[dst + 3 * p + 1] = buf[src + 1024 + p];
      images[dst + 3 * p + 2] = buf[src + 2048 + p];
    }
  }
  return { images, labels };
}

/** A text member's non-empty lines (the label-name files). */
export const textLines = (b: Buffer) =>
  b
    .toString('utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Reads the members of a CIFAR tar named in `required` and `optional` (by base name, in whatever folder); a missing
 * required member means it is not the `set` archive, whose members live in `folder`.
 */
export async function readCifarMembers(
  archive: string,
  names: { folder: string; set: string; required: string[]; optional: string[] },
  o: Omit<TarReadOptions, 'want' | 'onFile'>,
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const base = (p: string) => p.split('/').pop() ?? p;
  const wanted = new Set([...names.required, ...names.optional]);
  await readTar(archive, {
    ...o,
    want: (p) => wanted.has(base(p)),
    onFile: (p, data) => files.set(base(p), data),
  });
  for (const f of names.required)
    if (!files.has(f))
      throw new OodlabError(
        'failed',
        `${archive} has no ${names.folder}/${f}: not the ${names.set} binary archive.`,
      );
  return files;
}
