// The 'features' job: extraction only (the OOD job extracts on its own when it needs to), e.g. before the Neural
// Collapse layer-wise study reads layer<k>_*.npy.
import { z } from 'zod';
import { CheckpointRef } from '../../../common/contract/ood';
import { BackendChoice } from '../../../common/contract/system';
import type { TaskFn } from '../task';
import { extractRunFeatures } from './extract';

const Params = z
  .object({
    runId: z.string(),
    checkpoint: CheckpointRef.default('best'),
    datasets: z.array(z.string()).optional(),
    backend: BackendChoice.default('auto'),
  })
  .strict();

export const featuresTask: TaskFn = async (params, ctx) => {
  const p = Params.parse(params);
  const dir = await extractRunFeatures(ctx.home, p.runId, {
    checkpoint: p.checkpoint,
    oodSets: p.datasets,
    backend: p.backend,
    signal: ctx.signal,
    progress: (fraction, message) => ctx.progress({ fraction, message }),
    log: (m) => ctx.log('info', m),
  });
  return { dir };
};
