// Groups of seeded runs on a SLURM cluster, newest first: loaded from 'cluster.groups', kept current by the
// 'cluster.update' pushes main/ sends while a group is unfinished (so the Runs page is a live cluster dashboard).
import type { OodlabApi } from '../../../../common/contract';
import type { GroupStatus } from '../../../../common/contract/cluster';
import { refreshList, type Listed } from './listed';

export const groups = $state<Listed<GroupStatus>>({
  list: [],
  loaded: false,
  error: null,
});

export function putGroup(s: GroupStatus): void {
  const i = groups.list.findIndex((g) => g.group.id === s.group.id);
  if (i >= 0) groups.list[i] = s;
  else groups.list = [s, ...groups.list].sort((a, b) => b.group.id.localeCompare(a.group.id));
}

export const refreshGroups = (api: OodlabApi): Promise<void> =>
  refreshList(groups, () => api.invoke('cluster.groups', {}));
