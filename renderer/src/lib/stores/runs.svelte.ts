// The run list, newest first, refreshed from 'runs.list' and kept current by 'run.update' pushes.
import type { RunManifest } from '../../../../common/contract/runs';
import type { Listed } from './listed';

export const runs = $state<Listed<RunManifest>>({
  list: [],
  loaded: false,
  error: null,
});

export function setRuns(list: RunManifest[]): void {
  runs.list = [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  runs.loaded = true;
  runs.error = null;
}

export function putRun(m: RunManifest): void {
  const i = runs.list.findIndex((r) => r.id === m.id);
  if (i >= 0) runs.list[i] = m;
  else runs.list.unshift(m);
}

export function dropRun(id: string): void {
  runs.list = runs.list.filter((r) => r.id !== id);
}
