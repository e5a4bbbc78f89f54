// The 'features' job: extraction only (the OOD job extracts on its own when it needs to), e.g. before the Neural
// Collapse layer-wise study reads layer<k>_*.npy.
import { OodExtractRequest } from '../../../common/contract/ood';
import type { TaskFn } from '../task';
import { extractRunFeatures } from './extract';

export const featuresTask: TaskFn = async (params, ctx) => {
  const p = OodExtractRequest.parse(params);
  const dir = await extractRunFeatures(ctx.home, p.runId, {
    checkpoint: p.checkpoint ?? 'best',
    oodSets: p.datasets,
    backend: p.backend ?? 'auto',
    signal: ctx.signal,
    progress: (fraction, message) => ctx.progress({ fraction, message }),
    log: (m) => ctx.log('info', m),
  });
  return { dir };
};
