// A run of kind 'imported' appears whole or not at all: its folder is built under a hidden temporary name
// (runs/.<id>.importing, which run listings skip), renamed into place, and only then given its manifest. Any
// failure on the way removes the folder, so a failed import leaves no run behind.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ImportedModel } from '../../../../common/contract/models';
import type { RunManifest } from '../../../../common/contract/runs';
import { TrainConfig, type TrainConfigInput } from '../../../../common/contract/train';
import { writeJsonAtomic } from '../../runs/atomic';
import { homePaths } from '../../runs/home';
import { newRunId, runFiles } from '../../runs/store';

export const importFile = (home: string, id: string) => join(runFiles(home, id).dir, 'import.json');

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

export interface StagedRun {
  id: string;
  /** The folder being built (becomes runs/<id>). */
  dir: string;
}

/**
 * Builds an imported run: `fill` writes into the staging folder (checkpoints/ exists); then config.json and
 * import.json are written, the folder is renamed into place and the manifest is written last.
 */
export async function createImportedRun(
  home: string,
  name: string,
  config: TrainConfigInput,
  model: Omit<ImportedModel, 'sha256' | 'importedAt'>,
  sourcePath: string,
  fill: (stage: StagedRun) => Promise<void>,
): Promise<{ manifest: RunManifest; model: ImportedModel }> {
  const id = newRunId(name);
  const runs = homePaths(home).runs;
  const stage = join(runs, `.${id}.importing`);
  const final = runFiles(home, id);
  try {
    await mkdir(join(stage, 'checkpoints'), { recursive: true });
    await mkdir(dirname(join(stage, model.file)), { recursive: true });
    await copyFile(sourcePath, join(stage, model.file));
    const sha256 = await sha256File(join(stage, model.file));
    await fill({ id, dir: stage });
    const record: ImportedModel = { ...model, sha256, importedAt: new Date().toISOString() };
    // No validation split is held out of a model trained elsewhere: its features use the whole training set (the
    // OOD sweeps then hold out 10% of it themselves). A fine-tuning run may set one in its config.
    await writeJsonAtomic(join(stage, 'config.json'), TrainConfig.parse({ valFraction: 0, ...config }));
    await writeJsonAtomic(join(stage, 'import.json'), record);
    await rename(stage, final.dir);
    const now = new Date().toISOString();
    const manifest: RunManifest = {
      id,
      name,
      kind: 'imported',
      imported: { format: record.format, source: record.source, sha256 },
      state: 'done',
      createdAt: now,
      updatedAt: now,
      // a PyTorch import can be trained further (train --resume): its config's epochs are still to do
      epochs: model.format === 'onnx' ? 0 : TrainConfig.parse(config).epochs,
      epochsDone: 0,
      bestEpoch: 0,
      bestTestAcc: 0,
    };
    try {
      await writeJsonAtomic(final.manifest, manifest);
    } catch (err) {
      await rm(final.dir, { recursive: true, force: true });
      throw err;
    }
    return { manifest, model: record };
  } catch (err) {
    await rm(stage, { recursive: true, force: true });
    throw err;
  }
}
