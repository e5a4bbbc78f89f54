// Where a run's features for one checkpoint are cached: features/ for the best checkpoint (the default),
// features/last/ and features/epoch-<N>/ otherwise. meta.json is written last, so its presence means complete.
import { join } from 'node:path';
import type { CheckpointRef } from '../../../common/contract/ood';
import { runDir } from '../runs/store';

export function checkpointName(c: CheckpointRef): string {
  return typeof c === 'number' ? `epoch-${String(c).padStart(3, '0')}` : c;
}

export function featuresDirFor(home: string, runId: string, c: CheckpointRef): string {
  const base = join(runDir(home, runId), 'features');
  if (c === 'best') return base;
  return join(base, typeof c === 'number' ? `epoch-${c}` : c);
}
