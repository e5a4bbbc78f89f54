// The one place that names and parses checkpoints. A run keeps checkpoints/best, checkpoints/last and
// checkpoints/epoch-NNN (the epoch zero-padded to three digits, so that a listing sorts by epoch up to 999); the
// same name keys a checkpoint's cached features (features/epoch-NNN) and NC metrics (nc/epoch-NNN.json), and is
// what results and the UI show. Parsing also accepts the unpadded epoch-N that feature caches were written under
// before, so those runs still load.
import type { CheckpointRef } from './ood';

const EPOCH = /^epoch-(\d+)$/;

/** best, last, or epoch-NNN for an epoch number (1-based). */
export function checkpointName(c: CheckpointRef): string {
  return typeof c === 'number' ? `epoch-${String(c).padStart(3, '0')}` : c;
}

/** The checkpoint a name stands for (epoch-NNN or epoch-N, best, last), or null for any other name. */
export function parseCheckpointName(name: string): CheckpointRef | null {
  if (name === 'best' || name === 'last') return name;
  const m = EPOCH.exec(name);
  const epoch = m ? Number(m[1]) : 0;
  return epoch >= 1 ? epoch : null;
}

/** The epoch of an epoch-NNN name; null for best, last and anything else. */
export function checkpointEpoch(name: string): number | null {
  const c = parseCheckpointName(name);
  return typeof c === 'number' ? c : null;
}

/** The unpadded name (epoch-N) a checkpoint's features were cached under before; null for best and last. */
export function legacyEpochName(c: CheckpointRef): string | null {
  return typeof c === 'number' ? `epoch-${c}` : null;
}
