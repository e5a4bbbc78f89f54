// Everything the report reads from a run folder, each file validated by its schema: a missing optional file
// (no OOD or NC results yet) is null, a present but invalid one is an error, never silently skipped.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { OodlabError } from '../../../common/contract/errors';
import { NcResults } from '../../../common/contract/nc';
import { OodEpochs, OodResults } from '../../../common/contract/ood';
import type { RunManifest } from '../../../common/contract/runs';
import type { TrainConfig, TrainingHistory } from '../../../common/contract/train';
import { readHistory, readManifest, readRunConfig, runDir } from '../runs/store';

export interface RunData {
  manifest: RunManifest;
  config: TrainConfig;
  history: TrainingHistory | null;
  ood: OodResults | null;
  nc: NcResults | null;
  oodEpochs: OodEpochs | null;
}

export const resultFiles = (home: string, runId: string) => ({
  ood: join(runDir(home, runId), 'ood_results.json'),
  nc: join(runDir(home, runId), 'nc_results.json'),
  oodEpochs: join(runDir(home, runId), 'ood_epochs.json'),
});

/** A JSON file checked against its schema, or null when it does not exist. */
export async function readOptionalJson<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<z.output<S> | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new OodlabError('failed', `${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OodlabError('failed', `${path} is not valid: ${parsed.error.message}`);
  return parsed.data;
}

export async function loadRunData(home: string, runId: string): Promise<RunData> {
  const manifest = await readManifest(home, runId);
  const f = resultFiles(home, runId);
  const [config, history, ood, nc, oodEpochs] = await Promise.all([
    readRunConfig(home, runId),
    readHistory(home, runId),
    readOptionalJson(f.ood, OodResults),
    readOptionalJson(f.nc, NcResults),
    readOptionalJson(f.oodEpochs, OodEpochs),
  ]);
  return { manifest, config, history, ood, nc, oodEpochs };
}
