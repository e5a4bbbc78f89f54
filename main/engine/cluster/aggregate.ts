// A group's summary: mean and standard deviation over seeds, as OpenOOD reports every figure (three seeds). The
// inputs are the runs' own summary.json and training_history.json, so the group's numbers are the runs' numbers,
// averaged; nothing is recomputed. std is the sample standard deviation (n-1), null for a single seed.
// Near/far means follow the OpenOOD v1.5 grouping, per seed first (mean over the group's sets), then over seeds.
import type { GroupSummary, Stat } from '../../../common/contract/cluster';
import type { Summary } from '../../../common/contract/report';
import type { TrainingHistory } from '../../../common/contract/train';

export const STD_CONVENTION = 'std: sample standard deviation over seeds (divisor n-1); null when n = 1';

/** OpenOOD v1.5: with CIFAR as ID, near = the other CIFAR and Tiny ImageNet; far = MNIST, SVHN, Textures, Places365. */
const NEAR = new Set(['cifar10', 'cifar100', 'tin', 'tinyimagenet', 'tiny-imagenet']);
const FAR = new Set(['mnist', 'svhn', 'dtd', 'textures', 'places365', 'places']);

export function oodGroupOf(dataset: string, idDataset: string): 'near' | 'far' | null {
  const d = dataset.toLowerCase();
  if (d === idDataset.toLowerCase()) return null;
  return NEAR.has(d) ? 'near' : FAR.has(d) ? 'far' : null;
}

export function stat(values: number[]): Stat {
  const n = values.length;
  const mean = n ? values.reduce((s, v) => s + v, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, std, n, values };
}

const OOD_METRICS = ['auroc', 'auprIn', 'auprOut', 'fpr95', 'fpr95OpenOOD', 'detectionError'] as const;

/** Named NC figures of a summary's final checkpoint. */
function ncFigures(s: Summary): Record<string, number> | null {
  const f = s.nc?.final;
  if (!f) return null;
  return {
    nc1: f.nc1,
    'nc2.equinormMeans': f.nc2.equinormMeans,
    'nc2.equinormClassifier': f.nc2.equinormClassifier,
    'nc2.equiangularMeans': f.nc2.equiangularMeans,
    'nc2.equiangularClassifier': f.nc2.equiangularClassifier,
    nc3: f.nc3,
    nc4: f.nc4,
    nc5: f.nc5,
    nccTestAccuracy: f.nccTestAccuracy,
  };
}

/** Stat per key over the records that have it (records in seed order). */
function statsOf(records: (Record<string, number | null> | null)[]): Record<string, Stat> {
  const keys = [...new Set(records.flatMap((r) => (r ? Object.keys(r) : [])))];
  const out: Record<string, Stat> = {};
  for (const k of keys) {
    const v = records
      .map((r) => r?.[k])
      .filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (v.length) out[k] = stat(v);
  }
  return out;
}

export interface SeedResult {
  seed: number;
  summary: Summary;
  history: TrainingHistory | null;
}

export function aggregate(groupId: string, results: SeedResult[], now = new Date()): GroupSummary {
  const rs = [...results].sort((a, b) => a.seed - b.seed);
  const training = statsOf(
    rs.map(({ summary: { training: t } }) => ({
      finalTestAcc: t.finalTestAcc,
      bestTestAcc: t.bestTestAcc,
      finalTrainAcc: t.finalTrainAcc,
      finalTestLoss: t.finalTestLoss,
      epochsDone: t.epochsDone,
      seconds: t.seconds,
    })),
  );

  const nEpochs = Math.min(...rs.map((r) => r.history?.epochs.length ?? 0));
  const epochs = Array.from({ length: Number.isFinite(nEpochs) ? nEpochs : 0 }, (_, i) => i + 1);
  const at = (r: SeedResult, e: number) => r.history?.epochs.find((x) => x.epoch === e);
  const curves = {
    epochs,
    testAcc: epochs.map((e) => stat(rs.map((r) => at(r, e)?.testAcc ?? NaN).filter(Number.isFinite))),
    trainLoss: epochs.map((e) => stat(rs.map((r) => at(r, e)?.trainLoss ?? NaN).filter(Number.isFinite))),
  };

  // Method x set, in the order the first run lists them.
  const rows = new Map<string, { method: string; label: string; dataset: string }>();
  for (const r of rs)
    for (const row of r.summary.ood?.table ?? [])
      rows.set(`${row.method}\u0000${row.dataset}`, {
        method: row.method,
        label: row.label,
        dataset: row.dataset,
      });
  const metricsOf = (r: SeedResult, method: string, dataset: string) => {
    const row = r.summary.ood?.table.find((x) => x.method === method && x.dataset === dataset);
    return row ? Object.fromEntries(OOD_METRICS.map((m) => [m, row[m]])) : null;
  };
  const ood = [...rows.values()].map((k) => ({
    ...k,
    metrics: statsOf(rs.map((r) => metricsOf(r, k.method, k.dataset))),
  }));

  const idSet = rs[0]?.summary.config.dataset ?? '';
  const oodGroups: GroupSummary['oodGroups'] = [];
  const methods = [...new Map([...rows.values()].map((k) => [k.method, k.label])).entries()];
  for (const [method, label] of methods)
    for (const group of ['near', 'far'] as const) {
      const datasets = [...rows.values()]
        .filter((k) => k.method === method && oodGroupOf(k.dataset, idSet) === group)
        .map((k) => k.dataset);
      if (!datasets.length) continue;
      const perSeed = rs.map((r) => {
        const ms = datasets.map((d) => metricsOf(r, method, d));
        if (ms.some((m) => m === null)) return null; // a seed lacking a set would bias its mean
        return Object.fromEntries(
          OOD_METRICS.map((m) => [
            m,
            ms.reduce((s, x) => s + (x as Record<string, number>)[m], 0) / ms.length,
          ]),
        );
      });
      oodGroups.push({ method, label, group, datasets, metrics: statsOf(perSeed) });
    }

  const nc = rs.some((r) => r.summary.nc) ? statsOf(rs.map((r) => ncFigures(r.summary))) : null;
  return {
    version: 1,
    groupId,
    createdAt: now.toISOString(),
    stdConvention: STD_CONVENTION,
    seeds: rs.map((r) => r.seed),
    runs: rs.map((r) => r.summary.runId),
    training,
    curves,
    ood,
    oodGroups,
    nc,
  };
}
