import { parseCheckpointName } from '../../../common/contract/checkpoint-name';
import type { oodRequests } from '../../../common/contract/ood';
import { methodsFor } from '../../../common/contract/ood-methods';
import { readOodEpochs } from '../../engine/ood/epochs';
import { readOodResults } from '../../engine/ood/results';
import { readManifest } from '../../engine/runs/store';
import type { Handlers } from '../table';

// Evaluation and re-scoring are jobs (extraction and fitting take seconds to minutes); results are a file read.
export const oodHandlers: Handlers<keyof typeof oodRequests> = {
  'ood.evaluate': async (req, ctx) => {
    if (req.runId) await readManifest(ctx.home, req.runId); // not_found before a job is started
    const what = req.runId ?? req.featuresDir;
    return ctx.jobs.start({ kind: 'ood', title: `OOD evaluation of ${what}`, params: req, runId: req.runId });
  },
  'ood.extract': async (req, ctx) => {
    await readManifest(ctx.home, req.runId);
    return ctx.jobs.start({
      kind: 'features',
      title: `Features of ${req.runId}`,
      params: req,
      runId: req.runId,
    });
  },
  'ood.results': async (req, ctx) => readOodResults(ctx.home, req.runId),
  'ood.epochs': async (req, ctx) => readOodEpochs(ctx.home, req.runId),
  'ood.rescore': async (req, ctx) => {
    const prev = await readOodResults(ctx.home, req.runId);
    const methods = methodsFor(req.params);
    return ctx.jobs.start({
      kind: 'ood',
      title: `OOD re-score of ${req.runId}`,
      runId: req.runId,
      params: {
        runId: req.runId,
        checkpoint: (prev.checkpoint && parseCheckpointName(prev.checkpoint)) || 'best',
        methods: methods.length ? methods : undefined,
        datasets: Object.keys(prev.oodSets),
        params: req.params,
        noSweep: true,
        merge: true,
      },
    });
  },
};
