// Reading a JSON file that a crash, a full disk or a hand edit may have cut short: the message names the file and
// what to do, instead of a bare "Unexpected end of JSON input" that says neither.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { OodlabError } from '../../../common/contract/errors';

export function parseJsonFile(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new OodlabError(
      'failed',
      `${what} (${path}) is not valid JSON (${(err as Error).message}): it was cut short or edited by hand.`,
    );
  }
}

/**
 * A run's result file read back and validated: not_found with `missing` (what to do) when it does not exist,
 * 'failed' naming the file when it was cut short or does not match its schema.
 */
export async function readRunJson<T>(
  path: string,
  schema: z.ZodType<T>,
  o: { what: string; missing: string },
): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new OodlabError('not_found', o.missing);
    throw err;
  }
  const parsed = schema.safeParse(parseJsonFile(text, path, o.what));
  if (!parsed.success)
    throw new OodlabError('failed', `${o.what} (${path}) is not valid: ${parsed.error.message}`);
  return parsed.data;
}
