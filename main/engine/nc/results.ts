// Where Neural Collapse results live in a run folder: nc_results.json (the whole analysis; the report merges it
// into summary.json as section `nc`) and nc/epoch-NNN.json (one checkpoint's metrics, so re-running the
// across-epochs study only computes checkpoints it has not seen). All writes are atomic.
import { parseJsonFile } from '../runs/json';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointName } from '../../../common/contract/checkpoint-name';
import { OodlabError } from '../../../common/contract';
import { NcEpoch, NcResults } from '../../../common/contract/nc';
import { writeJsonAtomic } from '../runs/atomic';
import { runDir } from '../runs/store';

export const ncFiles = (home: string, runId: string) => ({
  results: join(runDir(home, runId), 'nc_results.json'),
  epoch: (epoch: number) => join(runDir(home, runId), 'nc', `${checkpointName(epoch)}.json`),
});

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function readNcResults(home: string, runId: string): Promise<NcResults> {
  const text = await readText(ncFiles(home, runId).results);
  if (text === null)
    throw new OodlabError(
      'not_found',
      `Run ${runId} has no Neural Collapse results yet: run \`oodlab analyze ${runId}\`.`,
    );
  const path = ncFiles(home, runId).results;
  const parsed = NcResults.safeParse(
    parseJsonFile(text, path, `The Neural Collapse results of run ${runId}`),
  );
  if (!parsed.success)
    throw new OodlabError('failed', `nc_results.json of run ${runId} is not valid: ${parsed.error.message}`);
  return parsed.data;
}

export async function writeNcResults(home: string, runId: string, r: NcResults): Promise<string> {
  const path = ncFiles(home, runId).results;
  await writeJsonAtomic(path, NcResults.parse(r));
  return path;
}

/** A cached checkpoint's metrics, or null when absent or unreadable (then it is simply recomputed). */
export async function readEpochCache(home: string, runId: string, epoch: number): Promise<NcEpoch | null> {
  const text = await readText(ncFiles(home, runId).epoch(epoch));
  if (text === null) return null;
  try {
    const parsed = NcEpoch.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.epoch === epoch ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeEpochCache(home: string, runId: string, e: NcEpoch): Promise<void> {
  await writeJsonAtomic(ncFiles(home, runId).epoch(e.epoch), NcEpoch.parse(e));
}
