// Which runs the analysis pages (OOD, Collapse) offer: those with a model to analyse — trained for an epoch at
// least (best and last exist then), or imported from elsewhere.
import type { RunManifest } from '../../../common/contract/runs';

export const hasModel = (r: Pick<RunManifest, 'epochsDone' | 'kind'>): boolean =>
  r.epochsDone > 0 || r.kind === 'imported';
