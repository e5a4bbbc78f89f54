// Where a run's features for one checkpoint are cached: features/ for the best checkpoint (the default),
// features/<checkpoint name>/ otherwise (common/contract/checkpoint-name.ts). meta.json is written last, so its
// presence means complete.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointName, legacyEpochName } from '../../../common/contract/checkpoint-name';
import type { CheckpointRef } from '../../../common/contract/ood';
import { runDir } from '../runs/store';

export function featuresDirFor(home: string, runId: string, c: CheckpointRef): string {
  const base = join(runDir(home, runId), 'features');
  if (c === 'best') return base;
  const dir = join(base, checkpointName(c));
  // Caches written before the names were unified sit under epoch-N: use one when it is there and the new one is not.
  const legacy = legacyEpochName(c);
  if (legacy && !existsSync(dir) && existsSync(join(base, legacy))) return join(base, legacy);
  return dir;
}
