// A data set as the datasets.list channel describes it, for UI tests: ready, two classes, named after its id in
// capitals; `extra` overrides any field.
import type { DatasetInfo } from '../../common/contract/datasets';

export function datasetInfo(id: string, role: 'id' | 'ood', extra: Partial<DatasetInfo> = {}): DatasetInfo {
  return {
    id,
    name: id.toUpperCase(),
    role,
    synthetic: id.startsWith('synthetic'),
    status: 'ready',
    sizeOnDisk: 0,
    downloadBytes: null,
    sourceUrl: null,
    counts: { test: 1 },
    classes: 2,
    classNames: ['a', 'b'],
    ...extra,
  };
}

/** What a set the user added carries (any folder will do: nothing reads it). */
export const addedFrom: NonNullable<DatasetInfo['custom']> = {
  path: '/x',
  kind: 'imagefolder',
  split: 's',
  skipped: 0,
  skippedFirst: [],
};
