// OOD detection across training (`evaluate RUN --epochs`): every kept checkpoint epoch-NNN is scored exactly as a
// single-checkpoint evaluation of it would be (same extraction, cached per checkpoint under features/epoch-NNN, so a
// re-run only re-fits; same detectors, parameters and sweep), and its AUROC and FPR@95 per method and OOD set become
// one point of the series in ood_epochs.json, drawn against the same epoch axis as Neural Collapse across epochs.
import { join } from 'node:path';
import { checkpointEpoch, checkpointName } from '../../../common/contract/checkpoint-name';
import { OodlabError } from '../../../common/contract/errors';
import { OodEpochs, type OodEpochPoint, type OodMethod, type OodParams } from '../../../common/contract/ood';
import { extractRunFeatures } from '../features/extract';
import { loadFeatureDir } from '../features/store';
import { writeJsonAtomic } from '../runs/atomic';
import { readRunJson } from '../runs/json';
import { listCheckpoints, runDir } from '../runs/store';
import { evaluateFeatures } from './evaluate';

export const epochsPath = (home: string, runId: string) => join(runDir(home, runId), 'ood_epochs.json');

export interface EpochsOptions {
  methods?: OodMethod[];
  datasets?: string[];
  params: OodParams;
  noSweep: boolean;
  signal: AbortSignal;
  progress: (fraction: number, message: string) => void;
  log: (message: string) => void;
}

export async function evaluateEpochs(home: string, runId: string, o: EpochsOptions): Promise<OodEpochs> {
  const epochs = (await listCheckpoints(home, runId))
    .map(checkpointEpoch)
    .filter((e): e is number => e !== null);
  if (!epochs.length)
    throw new OodlabError(
      'not_found',
      `Run ${runId} keeps no epoch-NNN checkpoints (train with checkpointEvery below the number of epochs).`,
    );
  const points: OodEpochPoint[] = [];
  let labels: OodEpochs['methods'] = [];
  let sets: string[] = [];
  for (const [i, epoch] of epochs.entries()) {
    const share = (f: number) => (i + f) / epochs.length;
    const name = checkpointName(epoch);
    o.log(`${name}: features and detectors (${i + 1}/${epochs.length})`);
    const dir = await extractRunFeatures(home, runId, {
      checkpoint: epoch,
      oodSets: o.datasets,
      signal: o.signal,
      progress: (f, m) => o.progress(share(0.6 * f), `${name}: ${m}`),
      log: o.log,
    });
    const rf = await loadFeatureDir(dir, { oodSets: o.datasets });
    const ev = await evaluateFeatures(rf, {
      methods: o.methods,
      params: o.params,
      noSweep: o.noSweep,
      signal: o.signal,
      progress: (f, m) => o.progress(share(0.6 + 0.4 * f), `${name}: ${m}`),
    });
    labels = ev.methods.map((m) => ({ method: m.method, label: m.label }));
    sets = Object.keys(ev.oodSets);
    points.push({
      epoch,
      checkpoint: name,
      methods: Object.fromEntries(
        ev.methods.map((m) => [
          m.method,
          {
            params: m.params,
            auroc: Object.fromEntries(Object.entries(m.datasets).map(([s, d]) => [s, d.metrics.auroc])),
            fpr95: Object.fromEntries(Object.entries(m.datasets).map(([s, d]) => [s, d.metrics.fpr95])),
          },
        ]),
      ),
    });
  }
  const out: OodEpochs = {
    version: 1,
    runId,
    createdAt: new Date().toISOString(),
    methods: labels,
    oodSets: sets,
    points,
  };
  await writeJsonAtomic(epochsPath(home, runId), OodEpochs.parse(out));
  return out;
}

export function readOodEpochs(home: string, runId: string): Promise<OodEpochs> {
  return readRunJson(epochsPath(home, runId), OodEpochs, {
    what: `The OOD-across-epochs results of run ${runId}`,
    missing: `Run ${runId} has no OOD-across-epochs results: run \`oodlab evaluate ${runId} --epochs\`.`,
  });
}
