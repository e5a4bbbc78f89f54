import { OodlabError } from '../../../common/contract/errors';
import type { runsRequests } from '../../../common/contract/runs';
import { effectiveState, localProbe } from '../../engine/runs/liveness';
import {
  deleteRun,
  listCheckpoints,
  listRuns,
  readHistory,
  readManifest,
  readRunConfig,
} from '../../engine/runs/store';
import type { Handlers } from '../table';
import { acquireRunLock } from '../../engine/runs/lock';
import { activeRunIds } from '../train-jobs';

export const runsHandlers: Handlers<keyof typeof runsRequests> = {
  'runs.list': async (_req, ctx) => listRuns(ctx.home, localProbe(activeRunIds(ctx))),

  'runs.get': async (req, ctx) => {
    const m = await readManifest(ctx.home, req.id);
    return {
      manifest: { ...m, state: effectiveState(m, localProbe(activeRunIds(ctx))) },
      config: await readRunConfig(ctx.home, req.id),
      history: await readHistory(ctx.home, req.id),
      checkpoints: await listCheckpoints(ctx.home, req.id),
    };
  },

  'runs.delete': async (req, ctx) => {
    const m = await readManifest(ctx.home, req.id);
    if (effectiveState(m, localProbe(activeRunIds(ctx))) === 'running')
      throw new OodlabError('conflict', `Run ${req.id} is training: cancel its job before deleting it.`);
    // Under the run's lock, so that no other process (CLI, app) starts training it while it is removed.
    const lock = await acquireRunLock(ctx.home, req.id, 'delete');
    try {
      await deleteRun(ctx.home, req.id);
    } finally {
      await lock.release();
    }
    return { deleted: true };
  },
};
