// How many classes a run's model has and what its data is called: the training history knows (it records the
// classes of the set it trained on, built-in or added); before the first epoch, the config's set tells, as the data
// set registry describes it (datasets.list) or, for the synthetic set, as the config generates it.
import type { DatasetInfo } from '../../../common/contract/datasets';
import type { RunDetail } from '../../../common/contract/runs';
import { SYNTHETIC_DEFAULTS } from '../../../common/contract/train';
import { datasets } from './stores/datasets.svelte';

type Run = Pick<RunDetail, 'config' | 'history'>;

/** The run's class count; 0 while the data sets are not listed yet and the run has no history. */
export function numClassesOf(d: Run, sets: DatasetInfo[] = datasets.list): number {
  if (d.history) return d.history.config.numClasses;
  if (d.config.dataset === 'synthetic') return d.config.synthetic?.classes ?? SYNTHETIC_DEFAULTS.classes;
  return sets.find((s) => s.id === d.config.dataset)?.classes ?? 0;
}

export function dataLabelOf(d: Run, sets: DatasetInfo[] = datasets.list): string {
  const c = d.config;
  if (c.dataset === 'synthetic') return `synthetic, ${numClassesOf(d, sets)} classes`;
  const set = sets.find((s) => s.id === c.dataset);
  return set && !set.custom ? set.name : `${c.dataset} (${numClassesOf(d, sets)} classes)`;
}
