// Neural Collapse metrics per checkpoint as an analysis pushes them ('nc.epoch'), so the curves grow live and
// survive a page switch.
import type { EventOf } from '../../../../common/contract';
import type { NcEpoch } from '../../../../common/contract/nc';

export const ncLive = $state<Record<string, NcEpoch[]>>({});

export function onNcEpoch(p: EventOf<'nc.epoch'>): void {
  const list = (ncLive[p.runId] ?? []).filter((e) => e.epoch !== p.epoch);
  ncLive[p.runId] = [...list, { epoch: p.epoch, metrics: p.metrics }].sort((a, b) => a.epoch - b.epoch);
}
