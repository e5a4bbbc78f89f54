// The group store: <home>/groups/<id>/ holds group.json (what was submitted, with the SLURM job id), config.json
// (the config every task trains; only the seed differs), submit.sbatch, logs/ (one SLURM log per task) and, once
// aggregated, summary.json. Each task's run lives under runs/<group>-s<seed>/ like any other run, so every
// command that works on runs works on a group's runs.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Group } from '../../../common/contract/cluster';
import { OodlabError } from '../../../common/contract/errors';
import type { TrainConfig } from '../../../common/contract/train';
import { writeJsonAtomic } from '../runs/atomic';
import { readEachFolder } from '../runs/folders';

export const groupsDir = (home: string) => join(home, 'groups');

export function groupFiles(home: string, id: string) {
  const dir = join(groupsDir(home), id);
  return {
    dir,
    group: join(dir, 'group.json'),
    config: join(dir, 'config.json'),
    script: join(dir, 'submit.sbatch'),
    logs: join(dir, 'logs'),
    summary: join(dir, 'summary.json'),
    log: (jobId: string, task: number) => join(dir, 'logs', `${jobId}_${task}.out`),
  };
}

/** The run a group's task trains: stable, so a requeued task finds and resumes it. */
export const taskRunId = (groupId: string, seed: number) => `${groupId}-s${seed}`;

export async function writeGroup(g: Group, config: TrainConfig): Promise<void> {
  const f = groupFiles(g.home, g.id);
  await mkdir(f.logs, { recursive: true });
  await writeJsonAtomic(f.config, config);
  await writeJsonAtomic(f.group, Group.parse(g));
}

export async function readGroup(home: string, id: string): Promise<Group> {
  let text: string;
  try {
    text = await readFile(groupFiles(home, id).group, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new OodlabError('not_found', `Group ${id} not found (no ${groupFiles(home, id).group}).`);
    throw err;
  }
  const parsed = Group.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new OodlabError('failed', `Group ${id}: group.json is not valid: ${parsed.error.message}`);
  return parsed.data;
}

/** Every readable group, newest first. */
export async function listGroups(home: string): Promise<Group[]> {
  // a folder without a valid group.json (being written or removed) is not a group
  return readEachFolder(groupsDir(home), (id) => readGroup(home, id));
}

export async function isGroup(home: string, id: string): Promise<boolean> {
  return readFile(groupFiles(home, id).group).then(
    () => true,
    () => false,
  );
}
