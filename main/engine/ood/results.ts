// ood_results.json in the run folder: written atomically, read back validated. A re-score replaces the methods it
// recomputed and keeps the others, so the file always holds one result per method, each naming its parameters.
import { readRunJson } from '../runs/json';
import { join } from 'node:path';
import { OodResults } from '../../../common/contract/ood';
import { writeJsonAtomic } from '../runs/atomic';
import { runDir } from '../runs/store';

/** The selection of a run without a sweep (a re-score keeps the selection of the results it merges into). */
export const NO_SWEEP = 'none (no sweep)';

export const resultsPath = (home: string, runId: string) => join(runDir(home, runId), 'ood_results.json');

export function readOodResults(home: string, runId: string): Promise<OodResults> {
  return readRunJson(resultsPath(home, runId), OodResults, {
    what: `The OOD results of run ${runId}`,
    missing: `Run ${runId} has no OOD results yet: evaluate it first.`,
  });
}

export async function writeOodResults(home: string, runId: string, r: OodResults): Promise<void> {
  await writeJsonAtomic(resultsPath(home, runId), OodResults.parse(r));
}

/** `next` with the methods of `prev` it did not recompute, in the order of `prev`. */
export function mergeResults(prev: OodResults, next: OodResults): OodResults {
  const fresh = new Map(next.methods.map((m) => [m.method, m]));
  const methods = prev.methods.map((m) => fresh.get(m.method) ?? m);
  for (const m of next.methods) if (!prev.methods.some((p) => p.method === m.method)) methods.push(m);
  // A re-score without a sweep keeps the record of how the other methods' parameters were picked.
  const selection = next.selection.heldOut === NO_SWEEP ? prev.selection : next.selection;
  return { ...next, methods, selection, notes: [...new Set([...prev.notes, ...next.notes])] };
}
