/** md5 of a file, streamed (the published checksums of CIFAR-100, SVHN and DTD are md5). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { OodlabError } from '../../../common/contract/errors';

export async function md5File(
  path: string,
  signal?: AbortSignal,
  onBytes?: (n: number) => void,
): Promise<string> {
  const h = createHash('md5');
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (signal?.aborted) throw new OodlabError('cancelled', 'Cancelled while checking the checksum.');
    h.update(chunk);
    n += chunk.length;
    onBytes?.(n);
  }
  return h.digest('hex');
}
