// The run store: one folder per run under <home>/runs/<id>/. Every file is written atomically (temp + rename) so a
// reader, or a restart after a crash, sees either the previous or the next version, never half of one.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { checkpointEpoch, checkpointName } from '../../../common/contract/checkpoint-name';
import type { CheckpointRef } from '../../../common/contract/ood';
import { OodlabError } from '../../../common/contract/errors';
import { isRunId } from '../../../common/contract/run-id';
import { RunManifest } from '../../../common/contract/runs';
import { TrainConfig, TrainingHistory } from '../../../common/contract/train';
import { writeJsonAtomic } from './atomic';
import { readEachFolder, subfolders } from './folders';
import { parseJsonFile } from './json';
import { homePaths } from './home';
import { effectiveState, localProbe, type LivenessProbe } from './liveness';

/** runs/<id>/, refusing any id that could name a folder outside runs/ (defence in depth behind the contract). */
export function runDir(home: string, id: string): string {
  if (!isRunId(id)) throw new OodlabError('invalid_request', `'${id}' is not a run id.`);
  return homePaths(home).run(id);
}

export const runFiles = (home: string, id: string) => {
  const dir = runDir(home, id);
  return {
    dir,
    config: join(dir, 'config.json'),
    manifest: join(dir, 'manifest.json'),
    history: join(dir, 'training_history.json'),
    checkpoints: join(dir, 'checkpoints'),
    checkpoint: (name: CheckpointRef) => join(dir, 'checkpoints', checkpointName(name)),
  };
};

/** Sortable by creation time: 20261126-211500-quick-ab12 (local time, like a camera's file names). */
export function newRunId(name: string, now = new Date(), suffix = randomBytes(2).toString('hex')): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
  const time = `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${date}-${time}-${name}-${suffix}`;
}

async function readJson<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new OodlabError('not_found', `${what} not found.`);
    throw err;
  }
  const parsed = schema.safeParse(parseJsonFile(text, path, what));
  if (!parsed.success) throw new OodlabError('failed', `${what} is not valid: ${parsed.error.message}`);
  return parsed.data;
}

export function ownerStamp(): NonNullable<RunManifest['owner']> {
  return { pid: process.pid, host: hostname(), heartbeatAt: new Date().toISOString() };
}

/** Makes runs/<id>/ with config.json and a 'running' manifest owned by this process. */
export async function createRun(
  home: string,
  name: string,
  config: TrainConfig,
  id = newRunId(name),
): Promise<RunManifest> {
  const f = runFiles(home, id);
  await mkdir(homePaths(home).runs, { recursive: true });
  // mkdir without recursive fails on an existing folder: two processes can never create the same run.
  await mkdir(f.dir).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EEXIST' ? new OodlabError('conflict', `Run ${id} already exists.`) : err;
  });
  await mkdir(f.checkpoints, { recursive: true });
  await writeJsonAtomic(f.config, config);
  const now = new Date().toISOString();
  const manifest: RunManifest = {
    id,
    name,
    state: 'running',
    createdAt: now,
    updatedAt: now,
    epochs: config.epochs,
    epochsDone: 0,
    bestEpoch: 0,
    bestTestAcc: 0,
    owner: ownerStamp(),
  };
  await writeJsonAtomic(f.manifest, manifest);
  return manifest;
}

export const readManifest = (home: string, id: string) =>
  readJson(runFiles(home, id).manifest, RunManifest, `Run ${id}`);
export const readRunConfig = (home: string, id: string) =>
  readJson(runFiles(home, id).config, TrainConfig, `The config of run ${id}`);

export async function readHistory(home: string, id: string): Promise<TrainingHistory | null> {
  try {
    return await readJson(runFiles(home, id).history, TrainingHistory, `The history of run ${id}`);
  } catch (err) {
    if (err instanceof OodlabError && err.code === 'not_found') return null;
    throw err;
  }
}

export async function writeHistory(home: string, id: string, history: TrainingHistory): Promise<void> {
  await writeJsonAtomic(runFiles(home, id).history, TrainingHistory.parse(history));
}

/** Reads, patches and rewrites the manifest (updatedAt refreshed); returns the new manifest. */
export async function updateManifest(
  home: string,
  id: string,
  patch: Partial<RunManifest>,
): Promise<RunManifest> {
  const next = RunManifest.parse({
    ...(await readManifest(home, id)),
    ...patch,
    updatedAt: new Date().toISOString(),
  });
  await writeJsonAtomic(runFiles(home, id).manifest, next);
  return next;
}

/** Every readable run, newest first, with 'running' shown as 'interrupted' when its owner is gone. */
export async function listRuns(
  home: string,
  probe: LivenessProbe = localProbe(new Set()),
): Promise<RunManifest[]> {
  // a folder without a readable manifest is not a run (e.g. being deleted)
  return readEachFolder(homePaths(home).runs, async (id) => {
    const m = await readManifest(home, id);
    return { ...m, state: effectiveState(m, probe) };
  });
}

/** Checkpoint folder names present (epoch-NNN ascending, then best, last). */
export async function listCheckpoints(home: string, id: string): Promise<string[]> {
  const names = (await subfolders(runFiles(home, id).checkpoints)).filter((n) => !n.startsWith('.'));
  const epochs = names
    .filter((n) => checkpointEpoch(n) !== null)
    .sort((a, b) => checkpointEpoch(a)! - checkpointEpoch(b)!);
  return [...epochs, ...['best', 'last'].filter((n) => names.includes(n))];
}

export async function deleteRun(home: string, id: string): Promise<void> {
  await readManifest(home, id); // not_found for anything that is not a run
  await rm(runDir(home, id), { recursive: true, force: true });
}
