// The one schema of a run id, used by every channel that takes one. A run id names a folder under runs/, so it must
// never reach outside it: no separators, no leading dot ('.', '..', hidden files), nothing but the characters
// newRunId() itself writes, and a bounded length (file systems refuse names over 255 bytes).
import { z } from 'zod';

export const RUN_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export const RunId = z.string().regex(RUN_ID_PATTERN, 'not a run id');
export type RunId = z.infer<typeof RunId>;

/** The same check for code that gets an id from elsewhere (a CLI argument, a job's params, a manifest). */
export function isRunId(id: unknown): id is string {
  return typeof id === 'string' && RUN_ID_PATTERN.test(id);
}
