import { existsSync } from 'node:fs';
import { z } from 'zod';
import { OodlabError } from '../../../common/contract/errors';
import type { trainRequests } from '../../../common/contract/train';
import { TrainConfig } from '../../../common/contract/train';
import { presetConfig, presets } from '../../../common/train/presets';
import { readManifest as readCacheManifest } from '../../engine/data/cache';
import { archivePath, notDownloaded } from '../../engine/data/load';
import { datasetSpec, isDatasetId } from '../../engine/data/registry';
import { effectiveState, localProbe } from '../../engine/runs/liveness';
import { acquireRunLock, type RunLock } from '../../engine/runs/lock';
import { createRun, ownerStamp, readManifest, updateManifest } from '../../engine/runs/store';
import type { Handlers } from '../table';
import { activeRunIds, startTrainJob } from '../train-jobs';

function resolveConfig(req: {
  preset?: keyof typeof presets;
  overrides?: Record<string, unknown>;
  config?: TrainConfig;
}) {
  if (req.config) return req.config;
  if (!req.preset)
    throw new OodlabError('invalid_request', 'Give a preset (with overrides) or a whole config.');
  try {
    return presetConfig(req.preset, req.overrides);
  } catch (err) {
    if (!(err instanceof z.ZodError)) throw err;
    const issues = err.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
    throw new OodlabError('invalid_request', `Invalid training config: ${issues}`);
  }
}

/** Refuses at once, before a run folder exists, when the dataset was never downloaded (no cache, no archive). */
async function requireDataset(home: string, c: TrainConfig): Promise<void> {
  if (c.dataset === 'synthetic') return;
  if (!isDatasetId(c.dataset)) {
    const m = await readCacheManifest(home, c.dataset).catch(() => null);
    if (!m?.custom)
      throw new OodlabError(
        'not_found',
        `There is no data set '${c.dataset}': add it with \`oodlab datasets add PATH --name ${c.dataset} --role id\`.`,
      );
    if (m.custom.role !== 'id')
      throw new OodlabError(
        'invalid_request',
        `${m.custom.name} was added as an OOD set: it cannot be trained on.`,
      );
    return;
  }
  if (datasetSpec(c.dataset).role !== 'id')
    throw new OodlabError(
      'invalid_request',
      `${datasetSpec(c.dataset).name} is an OOD set: train on an ID set.`,
    );
  let cached = true; // a damaged cache counts: the job rebuilds it from the archive or says what to do
  try {
    cached = (await readCacheManifest(home, c.dataset)) !== null;
  } catch {
    // damaged, see above
  }
  const archive = archivePath(home, c.dataset);
  if (!cached && !(archive && existsSync(archive))) throw notDownloaded(c.dataset);
}

/** Runs start under the lock; if starting fails, the lock is given back at once. */
function underLock<T>(lock: RunLock, start: () => T): T {
  try {
    return start();
  } catch (err) {
    void lock.release();
    throw err;
  }
}

export const trainHandlers: Handlers<keyof typeof trainRequests> = {
  'train.start': async (req, ctx) => {
    const config = resolveConfig(req);
    await requireDataset(ctx.home, config);
    const manifest = await createRun(ctx.home, req.name ?? req.preset ?? 'custom', config, req.runId);
    const lock = await acquireRunLock(ctx.home, manifest.id, 'train');
    ctx.bus.emit('run.update', manifest);
    const job = underLock(lock, () =>
      startTrainJob(ctx, { runId: manifest.id }, `Train ${manifest.id}`, lock),
    );
    return { runId: manifest.id, job };
  },

  'train.resume': async (req, ctx) => {
    // The lock first: checking the manifest and rewriting it is then one step no other process can interleave.
    await readManifest(ctx.home, req.runId); // not_found before anything is written into a folder that is no run
    const lock = await acquireRunLock(ctx.home, req.runId, 'resume');
    try {
      const m = await readManifest(ctx.home, req.runId);
      const state = effectiveState(m, localProbe(activeRunIds(ctx)));
      if (state === 'running') throw new OodlabError('conflict', `Run ${m.id} is still training.`);
      // an imported PyTorch state_dict starts at epoch 0 of its config: resuming fine-tunes it
      const fineTune = m.kind === 'imported' && m.imported?.format !== 'onnx' && m.epochsDone < m.epochs;
      if (state === 'done' && !fineTune)
        throw new OodlabError('conflict', `Run ${m.id} has finished all ${m.epochs} epochs.`);
      const next = await updateManifest(ctx.home, m.id, {
        state: 'running',
        owner: ownerStamp(),
        error: undefined,
      });
      ctx.bus.emit('run.update', next);
      const params = { runId: m.id, resume: true, backend: req.backend };
      const job = startTrainJob(ctx, params, `Resume ${m.id}`, lock);
      return { runId: m.id, job };
    } catch (err) {
      await lock.release();
      throw err;
    }
  },

  'train.presets': async () => {
    const out = {} as Record<keyof typeof presets, { description: string; config: TrainConfig }>;
    for (const name of Object.keys(presets) as (keyof typeof presets)[])
      out[name] = { description: presets[name].description, config: TrainConfig.parse(presets[name].config) };
    return out;
  },
};
