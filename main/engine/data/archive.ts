// What the two archive readers (tar-read.ts, zip-read.ts) share: their options and their errors.
import { OodlabError } from '../../../common/contract/errors';

export interface ArchiveReadOptions {
  /** Whether a member (by its path inside the archive) is wanted; the others are skipped. */
  want: (path: string) => boolean;
  /** Called with each wanted member's bytes; at most `concurrency` calls pending (default 4). */
  onFile: (path: string, data: Buffer) => unknown;
  concurrency?: number;
  signal?: AbortSignal;
  /** Bytes of the archive read so far (for progress). */
  onRead?: (bytes: number) => void;
}

export const archiveCancelled = () => new OodlabError('cancelled', 'Cancelled while reading the archive.');

/** The error a reader throws: ours as they are, anything else (the parser's) as a damaged archive. */
export function damagedArchive(archive: string, kind: 'tar' | 'zip', err: unknown): OodlabError {
  if (err instanceof OodlabError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new OodlabError('failed', `The archive ${archive} is damaged or not a ${kind} file (${msg}).`);
}
