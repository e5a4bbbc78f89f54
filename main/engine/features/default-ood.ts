// The OOD sets a run is scored against when the user names none: for a CIFAR-10/100 model, the OpenOOD benchmark
// sets of its ID set that are downloaded (SVHN and DTD, the sets of version 0.1, when none is, so the error says
// what to download); for a synthetic model, the synthetic outliers; for a model of the user's own data, the OOD
// sets they added, else the benchmark's far-OOD sets that are downloaded.
import { benchmarkGroups } from '../../../common/ood/groups';
import { readManifest } from '../data/cache';
import { customManifests } from '../data/custom/list';

const ready = async (home: string, id: string) => (await readManifest(home, id).catch(() => null)) !== null;

export async function defaultOodSets(home: string, idDataset: string): Promise<string[]> {
  if (idDataset === 'synthetic') return ['synthetic-ood'];
  const g = benchmarkGroups(idDataset);
  if (g) {
    const sets = [...g.near, ...g.far];
    const have = [];
    for (const s of sets) if (await ready(home, s)) have.push(s);
    return have.length ? have : ['svhn', 'dtd'];
  }
  const mine = (await customManifests(home)).filter((m) => m.custom?.role === 'ood').map((m) => m.id);
  if (mine.length) return mine;
  const far = [];
  for (const s of benchmarkGroups('cifar100')!.far) if (await ready(home, s)) far.push(s);
  return far.length ? far : ['svhn', 'dtd'];
}
