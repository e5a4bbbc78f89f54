// The 'ood' job: features (extracted first when the run has none cached for that checkpoint, or a folder made
// elsewhere), every detector fitted once and scored on ID test and each OOD set, metrics, and ood_results.json.
// A re-score is the same job with fixed parameters for the methods they concern and no sweep.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OodlabError } from '../../../common/contract/errors';
import { OodJobParams, type OodResults } from '../../../common/contract/ood';
import { benchmarkGroups, expandDatasets } from '../../../common/ood/groups';
import type { TaskFn } from '../task';
import { initBackend } from '../backend';
import { writeNpy } from '../features/npy';
import { extractRunFeatures } from '../features/extract';
import { checkpointName } from '../../../common/contract/checkpoint-name';
import { featuresDirFor } from '../features/paths';
import { loadFeatureDir } from '../features/store';
import { readRunConfig } from '../runs/store';
import { evaluateEpochs } from './epochs';
import { evaluateFeatures } from './evaluate';
import { odinSpec } from './odin';
import { odinForRun } from './odin-run';
import { sweepPoints } from './sweep';
import { mergeResults, readOodResults, writeOodResults } from './results';

/** The ID set a features folder was extracted from (meta.json), null for folders made elsewhere. */
async function readIdDataset(metaPath: string): Promise<string | null> {
  try {
    const m = JSON.parse(await readFile(metaPath, 'utf8')) as { idDataset?: unknown };
    return typeof m.idDataset === 'string' ? m.idDataset : null;
  } catch {
    return null;
  }
}

export const oodTask: TaskFn = async (raw, ctx) => {
  const req = OodJobParams.parse(raw);
  const p = {
    ...req,
    checkpoint: req.checkpoint ?? 'best',
    params: req.params ?? {},
    noSweep: req.noSweep ?? false,
  };
  const backend = await initBackend(p.backend ?? 'auto');
  ctx.log('info', `backend: ${backend.name} (${backend.device})`);
  let dir = p.featuresDir;
  const idDataset = p.runId
    ? (await readRunConfig(ctx.home, p.runId)).dataset
    : await readIdDataset(join(p.featuresDir ?? '', 'meta.json'));
  // near / far / all name OpenOOD's groups of the model's ID set
  if (p.datasets) {
    try {
      p.datasets = expandDatasets(p.datasets, idDataset);
    } catch (err) {
      throw new OodlabError('invalid_request', (err as Error).message);
    }
  }
  if (p.epochs) {
    if (!p.runId)
      throw new OodlabError('invalid_request', '--epochs scores the checkpoints of a run: give a run.');
    return evaluateEpochs(ctx.home, p.runId, {
      methods: p.methods,
      datasets: p.datasets,
      params: p.params,
      noSweep: p.noSweep,
      signal: ctx.signal,
      progress: (fraction, message) => ctx.progress({ fraction, message }),
      log: (m) => ctx.log('info', m),
    });
  }
  const extracted = Boolean(
    p.runId && !existsSync(join(featuresDirFor(ctx.home, p.runId, p.checkpoint), 'meta.json')),
  );
  if (p.runId) {
    dir = await extractRunFeatures(ctx.home, p.runId, {
      checkpoint: p.checkpoint,
      oodSets:
        p.datasets && p.validationOod && p.validationOod !== 'proxy'
          ? [...p.datasets, p.validationOod]
          : p.datasets,
      signal: ctx.signal,
      progress: (fraction, message) => ctx.progress({ fraction: fraction * 0.6, message }),
      log: (m) => ctx.log('info', m),
    });
  }
  if (!dir) throw new OodlabError('invalid_request', 'Give a runId or a featuresDir.');
  // Without a sweep no validation set is read (a re-score keeps its test sets as they are).
  const rf = await loadFeatureDir(dir, {
    oodSets: p.datasets,
    validation: p.noSweep ? 'proxy' : p.validationOod,
  });
  const base = extracted ? 0.6 : 0;
  // ODIN runs the network over every scored image (about four inference passes): half of what is left.
  const odinShare = p.runId && p.methods?.includes('odin') ? 0.5 : 0;
  // ODIN sweeps (on the images of the same validation split) under the switch that makes the others sweep.
  const odinSweeps = odinShare > 0 && !p.noSweep && sweepPoints(odinSpec.grid, p.params) !== null;
  let ev;
  try {
    ev = await evaluateFeatures(rf, {
      methods: p.methods,
      params: p.params,
      noSweep: p.noSweep,
      splitForOthers: odinSweeps,
      signal: ctx.signal,
      progress: (f, message) => ctx.progress({ fraction: base + f * (1 - base) * (1 - odinShare), message }),
    });
  } catch (err) {
    if (ctx.signal.aborted) throw new OodlabError('cancelled', 'OOD evaluation cancelled.');
    throw err;
  }
  if (p.methods?.includes('odin')) {
    if (!p.runId)
      ev.notes.push(
        'ODIN is unavailable for a features folder: it perturbs the input along the gradient of the network, and ' +
          'features brought from elsewhere carry no network. Evaluate a run OODLab trained to get it.',
      );
    else {
      try {
        const odin = await odinForRun(ctx.home, p.runId, {
          checkpoint: p.checkpoint,
          oodSets: Object.keys(ev.oodSets),
          params: p.params,
          validation: odinSweeps ? ev.split?.rows : undefined,
          signal: ctx.signal,
          progress: (f, message) =>
            ctx.progress({ fraction: base + (1 - base) * (1 - odinShare + f * odinShare), message }),
        });
        ev.methods.push(odin.result);
        ev.scores.odin = odin.scores;
        if (odin.note) ev.notes.push(odin.note);
      } catch (err) {
        if (ctx.signal.aborted) throw new OodlabError('cancelled', 'OOD evaluation cancelled.');
        throw err;
      }
    }
  }
  const { scores, split: _split, ...rest } = ev;
  let results: OodResults = {
    version: 1,
    runId: p.runId ?? null,
    checkpoint: p.runId ? checkpointName(p.checkpoint) : null,
    featuresDir: dir,
    createdAt: new Date().toISOString(),
    backend: backend.name,
    ...rest,
    idDataset,
    groups: benchmarkGroups(idDataset),
  };
  if (p.scoresDir) {
    await mkdir(p.scoresDir, { recursive: true });
    for (const [m, s] of Object.entries(scores)) {
      await writeNpy(join(p.scoresDir, `${m}_id_test.npy`), s.id, [s.id.length]);
      for (const [set, v] of Object.entries(s.ood))
        await writeNpy(join(p.scoresDir, `${m}_ood_${set}.npy`), v, [v.length]);
    }
  }
  if (p.runId) {
    if (p.merge) results = mergeResults(await readOodResults(ctx.home, p.runId), results);
    await writeOodResults(ctx.home, p.runId, results);
  }
  return results;
};
