// The data sets and which download job works on each, refreshed on 'datasets.changed' and when a download ends.
import type { OodlabApi } from '../../../../common/contract';
import type { DatasetId, DatasetInfo } from '../../../../common/contract/datasets';
import { jobs } from './jobs.svelte';
import { refreshList, type Listed } from './listed';

export const datasets = $state<
  Listed<DatasetInfo> & {
    /** Data set -> the download job started for it from this window. */
    jobOf: Partial<Record<DatasetId, string>>;
  }
>({ list: [], loaded: false, error: null, jobOf: {} });

let pending: ReturnType<typeof setTimeout> | null = null;

/** Coalesces bursts of change events into one listing. */
export function refreshDatasetsSoon(api: OodlabApi): void {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    void refreshDatasets(api);
  }, 150);
}

export const refreshDatasets = (api: OodlabApi): Promise<void> =>
  refreshList(datasets, () => api.invoke('datasets.list', {}));

/** The download job of a set: the one started here, else a running one whose title names the set. */
export function downloadJobFor(d: DatasetInfo) {
  const id = datasets.jobOf[d.id];
  if (id && jobs.byId[id]) return jobs.byId[id];
  return Object.values(jobs.byId)
    .filter((j) => j.kind === 'datasets.download' && j.title.includes(d.name))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
}
