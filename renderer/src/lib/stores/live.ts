// Subscribes the stores to pushed events once, at startup, and loads what already exists (jobs of this host, runs
// on disk — finished and interrupted ones too), so pages only read stores and jobs outlive page switches.
import type { OodlabApi } from '../../../../common/contract';
import { refreshDatasets, refreshDatasetsSoon } from './datasets.svelte';
import { putJob, putLog } from './jobs.svelte';
import { onNcEpoch } from './nc.svelte';
import { putGroup, refreshGroups } from './groups.svelte';
import { putRun, runs, setRuns } from './runs.svelte';
import { system } from './system.svelte';
import { onBatch, onEpoch } from './training.svelte';

let started = false;

export function startLive(api: OodlabApi): void {
  if (started) return;
  started = true;
  api.on('job.update', (j) => {
    putJob(j);
    if (j.kind === 'datasets.download' && j.state !== 'running') refreshDatasetsSoon(api);
  });
  api.on('datasets.changed', () => refreshDatasetsSoon(api));
  api.on('job.log', putLog);
  api.on('run.update', putRun);
  api.on('train.batch', onBatch);
  api.on('train.epoch', onEpoch);
  api.on('nc.epoch', onNcEpoch);
  api.on('cluster.update', putGroup);
  void refreshRuns(api);
  void refreshDatasets(api);
  void refreshGroups(api);
  api.invoke('jobs.list', {}).then(
    (list) => list.forEach(putJob),
    () => undefined,
  );
  api.invoke('system.info', {}).then(
    (info) => (system.info = info),
    (e: Error) => (system.error = e.message),
  );
}

export async function refreshRuns(api: OodlabApi): Promise<void> {
  try {
    setRuns(await api.invoke('runs.list', {}));
  } catch (e) {
    runs.error = (e as Error).message;
  }
}
