// A full disk, said plainly: which folder, how much more space the write needed and how much is free, and that
// nothing was lost. A raw "ENOSPC: no space left on device, write" names neither, and users met it while a data
// set was being converted or a checkpoint saved.
import { statfs } from 'node:fs/promises';
import { OodlabError } from '../../../common/contract/errors';

const FULL = new Set(['ENOSPC', 'EDQUOT']);

export function isDiskFull(err: unknown): boolean {
  return FULL.has((err as NodeJS.ErrnoException | null)?.code ?? '');
}

export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** Free bytes for this user on the file system holding folder (null where it cannot be read). */
export async function freeBytes(folder: string): Promise<number | null> {
  try {
    const s = await statfs(folder);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/**
 * The error to throw for a failed write: a disk-full error becomes a message with the folder and the space
 * needed; anything else is returned as it was.
 */
export async function diskFullError(
  err: unknown,
  folder: string,
  needBytes: number | null,
  then: string,
): Promise<unknown> {
  if (!isDiskFull(err)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const free = await freeBytes(folder);
  const need = needBytes !== null ? `${formatSize(needBytes)} are needed` : 'more space is needed';
  const has = free !== null ? `, ${formatSize(free)} free` : '';
  const what = code === 'EDQUOT' ? 'Your disk quota is used up' : 'The disk is full';
  return new OodlabError('failed', `${what} in ${folder}: ${need}${has}. ${then}`);
}
