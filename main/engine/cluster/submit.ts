// `oodlab cluster submit`: a group folder with its config and sbatch script, then sbatch (unless a dry run). The
// data sets must already be in the shared cache, because tasks never download: compute nodes often have no
// network, and N tasks downloading the same archive at once would race.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Group, SubmitRequest } from '../../../common/contract/cluster';
import { OodlabError } from '../../../common/contract/errors';
import { presetConfig } from '../../../common/train/presets';
import { datasetStatus } from '../data/status';
import type { DatasetId } from '../data/registry';
import { writeFileAtomic, writeJsonAtomic } from '../runs/atomic';
import { newRunId } from '../runs/store';
import { sbatchScript, shellQuote } from './sbatch';
import { groupFiles, taskRunId, writeGroup } from './group';
import type { Slurm } from './slurm';

/** How tasks call oodlab: this Node (or Electron as Node) and this install's bin/oodlab.js. */
export function defaultCommand(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(join(dir, 'bin', 'oodlab.js')); i++) dir = dirname(dir);
  const bin = resolve(dir, 'bin', 'oodlab.js');
  const node = shellQuote(process.execPath);
  return `${process.versions.electron ? 'ELECTRON_RUN_AS_NODE=1 ' : ''}${node} ${shellQuote(bin)}`;
}

/** Data sets the pipeline needs for this ID set (the OOD sets come with CIFAR-100). */
async function requireCached(home: string, dataset: string): Promise<void> {
  const needed =
    dataset === 'cifar100' ? ['cifar100', 'svhn', 'dtd'] : dataset === 'synthetic' ? [] : [dataset];
  for (const id of needed) {
    const s = await datasetStatus(home, id as DatasetId).catch(() => null);
    if (s?.status !== 'ready')
      throw new OodlabError(
        'invalid_request',
        `Data set ${id} is not in the shared cache (${home}/datasets). Tasks never download: ` +
          `run 'oodlab download ${id}' on the login node first.`,
      );
  }
}

export async function submitGroup(
  home: string,
  req: z.output<typeof SubmitRequest>,
  slurm: Slurm,
): Promise<{ group: Group; script: string; submitted: boolean }> {
  let config;
  try {
    config = presetConfig(req.preset, req.overrides);
  } catch (err) {
    if (!(err instanceof z.ZodError)) throw err;
    throw new OodlabError(
      'invalid_request',
      `Invalid training config: ${err.issues.map((i) => i.message).join('; ')}`,
    );
  }
  const seeds = [...new Set(req.seeds)];
  if (seeds.length !== req.seeds.length) throw new OodlabError('invalid_request', 'Seeds must differ.');
  if (!req.dryRun) await requireCached(home, config.dataset);
  const name = req.name ?? req.preset;
  const id = newRunId(name);
  const group: Group = {
    version: 1,
    id,
    name,
    createdAt: new Date().toISOString(),
    preset: req.preset,
    config,
    tasks: seeds.map((seed, index) => ({ index, seed, runId: taskRunId(id, seed) })),
    slurm: req.slurm,
    home: resolve(home),
    command: req.command ?? defaultCommand(),
    jobId: null,
    submittedAt: null,
  };
  const script = sbatchScript(group);
  if (req.dryRun) return { group, script, submitted: false };

  const f = groupFiles(home, id);
  await writeGroup(group, config);
  await writeFileAtomic(f.script, script);
  let jobId: string;
  try {
    jobId = await slurm.submit(f.script, f.dir);
  } catch (err) {
    await rm(f.dir, { recursive: true, force: true }); // nothing was queued: leave no group behind
    throw err;
  }
  const submitted = { ...group, jobId, submittedAt: new Date().toISOString() };
  await writeJsonAtomic(f.group, submitted);
  return { group: submitted, script, submitted: true };
}
