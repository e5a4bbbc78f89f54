// What the OOD page opens on before the user picks anything: the newest run that has OOD results, else the newest
// finished run with a checkpoint, else the newest run with one (a run still training has no results yet and is only
// the last resort); and, ticked, the ready OOD sets of the OpenOOD benchmark for the run's ID set (its near and far
// groups for CIFAR-10/100; every ready real OOD set for another ID set), the synthetic OOD set only for a synthetic
// model or when no real set is ready. The run's own ID set is never ticked; sets the user added stay unticked.
import type { DatasetInfo } from '../../../common/contract/datasets';
import type { RunManifest } from '../../../common/contract/runs';
import { benchmarkGroups } from '../../../common/ood/groups';

/** A run with a checkpoint to evaluate (best/last exist once an epoch is done). */
export const evaluable = (r: Pick<RunManifest, 'epochsDone'>): boolean => r.epochsDone > 0;

/**
 * The run to open on, from a list newest first. hasResults is asked run by run, newest first, until one answers
 * true (so a long list costs only the lookups up to the first run with results).
 */
export async function pickOodRun(
  list: RunManifest[],
  hasResults: (id: string) => Promise<boolean>,
): Promise<string | null> {
  const candidates = list.filter(evaluable);
  for (const r of candidates) if (await hasResults(r.id).catch(() => false)) return r.id;
  return (candidates.find((r) => r.state !== 'running') ?? candidates[0])?.id ?? null;
}

/** Ids of the OOD sets ticked by default for a model trained on idDataset, among the ready ones offered. */
export function defaultOodSets(offered: DatasetInfo[], idDataset: string | null | undefined): Set<string> {
  const ready = offered.filter((d) => d.status === 'ready' && d.id !== idDataset);
  const synthetic = ready.filter((d) => d.synthetic && d.role === 'ood').map((d) => d.id);
  if (idDataset === 'synthetic') return new Set(synthetic);
  const groups = benchmarkGroups(idDataset);
  const real = groups
    ? ready.filter((d) => groups.near.includes(d.id) || groups.far.includes(d.id))
    : ready.filter((d) => d.role === 'ood' && !d.synthetic && !d.custom);
  return new Set(real.length ? real.map((d) => d.id) : synthetic);
}
