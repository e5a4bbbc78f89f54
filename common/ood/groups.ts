// OpenOOD v1.5's benchmark groups (Zhang et al., "OpenOOD v1.5", 2023; openood/evaluation_api/datasets.py):
// with CIFAR-100 as ID, near-OOD = CIFAR-10 and Tiny ImageNet, far-OOD = MNIST, SVHN, Textures (DTD), Places365;
// with CIFAR-10 as ID, near = CIFAR-100 and Tiny ImageNet, far the same four. A group's figure is the plain mean
// of its sets' metrics, over the sets that were evaluated (OpenOOD averages the same way), and names the sets.
import type { OodMetrics, OodResults } from '../contract/ood';

export type GroupName = 'near' | 'far';
export interface Groups {
  near: string[];
  far: string[];
}

const FAR = ['mnist', 'svhn', 'dtd', 'places365'];
const BENCHMARK: Record<string, Groups> = {
  cifar100: { near: ['cifar10', 'tinyimagenet'], far: FAR },
  cifar10: { near: ['cifar100', 'tinyimagenet'], far: FAR },
};

/** The groups of an ID set; none for sets outside the benchmark (synthetic, the user's own). */
export function benchmarkGroups(idDataset: string | null | undefined): Groups | null {
  return (idDataset && BENCHMARK[idDataset]) || null;
}

/** `--datasets near,far,all,<ids>`: group words become their sets (in benchmark order), duplicates dropped. */
export function expandDatasets(tokens: string[], idDataset: string | null | undefined): string[] {
  const g = benchmarkGroups(idDataset);
  const out: string[] = [];
  for (const t of tokens) {
    const word = t === 'near' || t === 'far' || t === 'all';
    if (word && !g)
      throw new Error(
        `'${t}' names an OpenOOD benchmark group, which exists for CIFAR-10 and CIFAR-100 models only: list the OOD sets instead.`,
      );
    const sets = word && g ? (t === 'all' ? [...g.near, ...g.far] : g[t as GroupName]) : [t];
    for (const s of sets) if (!out.includes(s)) out.push(s);
  }
  return out;
}

export type MeanKey = 'auroc' | 'fpr95' | 'fpr95OpenOOD' | 'auprIn' | 'auprOut';
const KEYS: MeanKey[] = ['auroc', 'fpr95', 'fpr95OpenOOD', 'auprIn', 'auprOut'];

export interface GroupMean {
  group: GroupName;
  /** The group's sets that this method was scored on. */
  sets: string[];
  metrics: Record<MeanKey, number>;
}

/** Per method, the mean of each metric over the evaluated sets of each group (a group with none is left out). */
export function groupMeans(
  r: Pick<OodResults, 'methods'> & { groups?: Groups | null },
): Record<string, GroupMean[]> {
  const out: Record<string, GroupMean[]> = {};
  for (const m of r.methods) {
    out[m.method] = [];
    if (!r.groups) continue;
    for (const group of ['near', 'far'] as const) {
      const sets = r.groups[group].filter((s) => m.datasets[s]);
      if (!sets.length) continue;
      const metrics = Object.fromEntries(
        KEYS.map((k) => [
          k,
          sets.reduce((a, s) => a + (m.datasets[s].metrics as OodMetrics)[k], 0) / sets.length,
        ]),
      ) as Record<MeanKey, number>;
      out[m.method].push({ group, sets, metrics });
    }
  }
  return out;
}
