import { OodlabError } from '../../../common/contract/errors';
import type { ncRequests } from '../../../common/contract/nc';
import { readNcResults } from '../../engine/nc/results';
import { readManifest } from '../../engine/runs/store';
import type { Handlers } from '../table';

export const ncHandlers: Handlers<keyof typeof ncRequests> = {
  'nc.analyze': async (req, ctx) => {
    await readManifest(ctx.home, req.runId); // not_found for anything that is not a run
    const busy = ctx.jobs
      .list()
      .find(
        (j) => j.kind === 'nc' && j.runId === req.runId && (j.state === 'running' || j.state === 'queued'),
      );
    if (busy)
      throw new OodlabError('conflict', `Run ${req.runId} is already being analysed (job ${busy.id}).`);
    const what = [req.epochs && 'epochs', req.layers && 'layers'].filter(Boolean).join(', ');
    return ctx.jobs.start({
      kind: 'nc',
      title: `Neural Collapse of ${req.runId}${what ? ` (${what})` : ''}`,
      params: req,
      runId: req.runId,
    });
  },
  'nc.results': async (req, ctx) => readNcResults(ctx.home, req.runId),
};
