// Neural Collapse of a run: the final model (checkpoint 'last' by default) with geometry and, on request, the
// layer-wise rows; and, on request, every kept checkpoint (epoch-NNN) — features extracted by
// features/extract.ts's extractRunFeatures, metrics cached per checkpoint in nc/epoch-NNN.json so a re-run, or a run
// cancelled half-way, only computes what is missing (and an analysis without epochs still reports the cached ones).
// Writes nc_results.json atomically at the end.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OodlabError } from '../../../common/contract';
import { checkpointEpoch } from '../../../common/contract/checkpoint-name';
import type { JobProgress } from '../../../common/contract/jobs';
import type { NcAnalyzeRequest, NcEpoch, NcResults } from '../../../common/contract/nc';
import type { CheckpointRef } from '../../../common/contract/ood';
import { extractRunFeatures } from '../features/extract';
import { featuresDirFor } from '../features/paths';
import { loadFeatureDir } from '../features/store';
import { listCheckpoints, readManifest } from '../runs/store';
import { analyzeModel } from './analyze';
import { computeNcMetrics } from './metrics';
import { readEpochCache, writeEpochCache, writeNcResults } from './results';

export interface RunAnalysisHooks {
  signal: AbortSignal;
  progress(p: JobProgress): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  onEpoch?(e: NcEpoch): void;
}

type Report = (fraction: number, message: string) => void;

function checkCancel(signal: AbortSignal, where: string): void {
  if (signal.aborted) throw new OodlabError('cancelled', `Neural Collapse analysis cancelled ${where}.`);
}

/** Epoch numbers of the kept checkpoints, ascending. */
export async function keptEpochs(home: string, runId: string): Promise<number[]> {
  return (await listCheckpoints(home, runId)).map(checkpointEpoch).filter((e): e is number => e !== null);
}

export async function analyzeRun(
  home: string,
  req: NcAnalyzeRequest,
  h: RunAnalysisHooks,
): Promise<NcResults> {
  const t0 = performance.now();
  await readManifest(home, req.runId);
  const kept = await keptEpochs(home, req.runId);
  const epochs = req.epochs ? kept : [];
  if (req.epochs && !epochs.length)
    h.log('warn', `Run ${req.runId} kept no epoch-NNN checkpoints: no curves over epochs.`);
  // The final model takes a quarter of the bar when epochs follow; each epoch an equal share of the rest.
  const finalShare = epochs.length ? 0.25 : 1;
  const span =
    (from: number, width: number): Report =>
    (fraction, message) =>
      h.progress({ fraction: Math.min(1, from + width * fraction), message });

  const backend = req.backend;
  const extract = async (
    checkpoint: CheckpointRef,
    oodSets: string[] | undefined,
    layers: boolean,
    report: Report,
  ) => {
    const dir = await extractRunFeatures(home, req.runId, {
      checkpoint,
      oodSets,
      layers,
      backend,
      signal: h.signal,
      progress: (f, m) => report(0.85 * f, m),
      log: (message) => h.log('info', message),
    });
    checkCancel(h.signal, `after extracting the features of checkpoint ${String(checkpoint)}`);
    return dir;
  };

  const finalReport = span(0, finalShare);
  const dir = await extract(req.checkpoint, req.datasets, req.layers, finalReport);
  const rf = await loadFeatureDir(dir, { oodSets: req.datasets, layers: req.layers });
  if (req.layers && !Object.keys(rf.layers ?? {}).length)
    h.log(
      'warn',
      'The features hold no per-stage (layer<k>_*) files: the layer-wise study has the penultimate layer only.',
    );
  const model = analyzeModel(rf, {
    layers: req.layers,
    centring: req.centring,
    onStage: (message) => finalReport(0.9, message),
    onWarn: (message) => h.log('warn', message),
  });

  const perEpoch: NcEpoch[] = [];
  const oodSets = Object.keys(rf.ood);
  for (const [i, epoch] of epochs.entries()) {
    checkCancel(h.signal, `before epoch ${epoch}`);
    const base = span(finalShare + ((1 - finalShare) * i) / epochs.length, (1 - finalShare) / epochs.length);
    const report: Report = (f, m) => base(f, `epoch ${epoch}: ${m}`);
    let e = await readEpochCache(home, req.runId, epoch);
    if (e && (e.metrics.centring ?? 'sample') !== req.centring) e = null; // cached with the other centring
    if (!e) {
      // Per-epoch features are large (every ID and OOD set): keep only those that were there before.
      const epochDir = featuresDirFor(home, req.runId, epoch);
      const keep = existsSync(join(epochDir, 'meta.json'));
      const d = await extract(epoch, oodSets, false, report);
      report(0.9, 'NC1–NC5');
      e = {
        epoch,
        metrics: computeNcMetrics({ ...(await loadFeatureDir(d, { oodSets })), centring: req.centring }),
      };
      await writeEpochCache(home, req.runId, e);
      if (!keep) await rm(epochDir, { recursive: true, force: true });
    }
    perEpoch.push(e);
    h.onEpoch?.(e);
  }

  // Without `epochs`, the curves already computed (cached per checkpoint) are kept in the results: they cost nothing.
  if (!req.epochs)
    for (const epoch of kept) {
      const e = await readEpochCache(home, req.runId, epoch);
      if (e && (e.metrics.centring ?? 'sample') === req.centring) perEpoch.push(e);
    }

  const results: NcResults = {
    version: 1,
    runId: req.runId,
    createdAt: new Date().toISOString(),
    source: { featuresDir: dir, checkpoint: String(req.checkpoint) },
    ...model,
    perEpoch,
    seconds: (performance.now() - t0) / 1000,
  };
  await writeNcResults(home, req.runId, results);
  h.progress({ fraction: 1, message: 'done' });
  return results;
}
