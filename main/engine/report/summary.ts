// summary.json: one record of a run, assembled from config.json, manifest.json, training_history.json,
// ood_results.json and nc_results.json. Validated with the `Summary` schema when written and when read, written
// atomically, so a reader (or a paper's table script) never sees half a file or a field that is not documented.
import { groupMeans } from '../../../common/ood/groups';
import type { OodMethod } from '../../../common/contract/ood';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { OodlabError } from '../../../common/contract/errors';
import { ImportedModel } from '../../../common/contract/models';
import { Summary } from '../../../common/contract/report';
import { writeJsonAtomic } from '../runs/atomic';
import { runDir } from '../runs/store';
import { loadRunData, type RunData } from './inputs';

export const summaryPath = (home: string, runId: string) => join(runDir(home, runId), 'summary.json');

const FPR95_CONVENTION =
  'fpr95: classic FPR@95TPR, the fraction of OOD samples accepted when 95% of ID samples are accepted (ID positive); ' +
  'fpr95OpenOOD: the OpenOOD v1.5 convention, the fraction of ID samples rejected at 95% OOD recall';

function training(d: RunData): Summary['training'] {
  const e = d.history?.epochs ?? [];
  const last = e.at(-1);
  const seconds = e.reduce((s, x) => s + x.seconds, 0);
  return {
    state: d.manifest.state,
    epochs: d.manifest.epochs,
    epochsDone: d.manifest.epochsDone,
    bestEpoch: d.manifest.bestEpoch,
    bestChosenBy: d.manifest.bestChosenBy ?? 'test',
    bestValAcc: d.manifest.bestValAcc ?? null,
    bestTestAcc: d.manifest.bestTestAcc,
    finalTestAcc: last?.testAcc ?? null,
    finalTrainAcc: last?.trainAcc ?? null,
    finalTestLoss: last?.testLoss ?? null,
    numClasses: d.history?.config.numClasses ?? null,
    seconds,
    imagesPerSecond: e.length ? e.reduce((s, x) => s + x.imagesPerSecond, 0) / e.length : null,
  };
}

function ood(d: RunData): Summary['ood'] {
  const r = d.ood;
  if (!r) return null;
  return {
    checkpoint: r.checkpoint,
    scoreConvention: r.scoreConvention,
    fpr95Convention: FPR95_CONVENTION,
    idTrain: r.idTrain,
    idTest: r.idTest,
    oodSets: r.oodSets,
    selection: r.selection,
    table: r.methods.flatMap((m) =>
      Object.entries(m.datasets).map(([dataset, x]) => ({
        method: m.method,
        label: m.label,
        dataset,
        params: m.params,
        paramSource: m.paramSource,
        ...x.metrics,
      })),
    ),
    groups: r.groups ?? null,
    groupMeans: Object.entries(groupMeans(r)).flatMap(([method, gs]) =>
      gs.map((g) => ({ method: method as OodMethod, group: g.group, sets: g.sets, ...g.metrics })),
    ),
    notes: r.notes,
  };
}

function nc(d: RunData): Summary['nc'] {
  const r = d.nc;
  if (!r) return null;
  return {
    checkpoint: r.source.checkpoint,
    final: r.final,
    perEpoch: r.perEpoch,
    layers: r.layers,
    etfDistanceMeans: r.geometry.etfDistanceMeans,
    etfDistanceClassifier: r.geometry.etfDistanceClassifier,
  };
}

/** The summary of what the run folder holds now (throws not_found for an unknown run). */
export async function buildSummary(
  home: string,
  runId: string,
  o: { appVersion?: string } = {},
): Promise<Summary> {
  const d = await loadRunData(home, runId);
  const cpu = cpus();
  const t = training(d);
  return Summary.parse({
    version: 1,
    runId,
    name: d.manifest.name,
    createdAt: new Date().toISOString(),
    runCreatedAt: d.manifest.createdAt,
    config: d.config,
    ...(await importedModel(home, runId)),
    environment: {
      app: o.appVersion ?? 'unknown',
      node: process.versions.node,
      platform: process.platform,
      arch: process.arch,
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      backend: d.manifest.backend ?? null,
      oodBackend: d.ood?.backend ?? null,
    },
    training: t,
    ood: ood(d),
    nc: nc(d),
    oodEpochs:
      d.oodEpochs?.points.flatMap((p) =>
        Object.entries(p.methods).flatMap(([method, m]) =>
          Object.entries(m.auroc).map(([dataset, auroc]) => ({
            epoch: p.epoch,
            method: method as OodMethod,
            dataset,
            auroc,
            fpr95: m.fpr95[dataset],
          })),
        ),
      ) ?? null,
    timings: {
      trainingSeconds: t.seconds,
      oodSeconds: d.ood ? d.ood.methods.reduce((s, m) => s + m.seconds.fit + m.seconds.score, 0) : null,
      ncSeconds: d.nc?.seconds ?? null,
    },
  });
}

/** An imported run's import.json, as { imported } to spread into the summary (nothing for a trained run). */
async function importedModel(home: string, runId: string): Promise<{ imported?: ImportedModel }> {
  try {
    return {
      imported: ImportedModel.parse(
        JSON.parse(await readFile(join(runDir(home, runId), 'import.json'), 'utf8')),
      ),
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new OodlabError('failed', `The import record of run ${runId} (import.json) is damaged.`);
  }
}

/** Validates and writes atomically; returns the path. */
export async function writeSummary(path: string, summary: Summary): Promise<string> {
  await writeJsonAtomic(path, Summary.parse(summary));
  return path;
}

export async function readSummary(path: string): Promise<Summary> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new OodlabError('not_found', `${path} does not exist.`);
    throw err;
  }
  const parsed = Summary.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new OodlabError('failed', `${path} is not a valid summary: ${parsed.error.message}`);
  return parsed.data;
}
