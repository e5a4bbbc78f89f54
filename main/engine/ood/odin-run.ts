// ODIN on a run OODLab trained: the checkpoint's network scores ID test and each OOD set image by image through
// odin.ts (two forward passes and one backward pass to the input per batch), on the thread's backend. The result
// has the same shape as every other method's (metrics, ROC, histogram, parameters), so the table, the figures and
// summary.json carry it like the others. Costs about four inference passes over the scored images.
import type { CheckpointRef, OodMethodResult, OodParams } from '../../../common/contract/ood';
import { OodlabError } from '../../../common/contract/errors';
import { CIFAR100_STD, makeBatch } from '../data/augment';
import { loadImageSet, type ImageSet } from '../data/load';
import type { DatasetId } from '../data/registry';
import { loadCheckpoint, readCheckpointMeta } from '../model/checkpoint';
import { ResNet18 } from '../model/resnet';
import { readRunConfig, runFiles } from '../runs/store';
import { computeMetrics, histograms, rocPoints } from './metrics';
import { odinBatch, odinSpec } from './odin';

export interface OdinRunOptions {
  checkpoint: CheckpointRef;
  oodSets: string[];
  params: OodParams;
  batchSize?: number;
  signal?: AbortSignal;
  progress?: (fraction: number, message: string) => void;
}

export async function odinForRun(
  home: string,
  runId: string,
  o: OdinRunOptions,
): Promise<{ result: OodMethodResult; scores: { id: Float64Array; ood: Record<string, Float64Array> } }> {
  const T = o.params.odinT ?? odinSpec.defaults.odinT;
  const eps = o.params.odinEps ?? odinSpec.defaults.odinEps;
  const config = await readRunConfig(home, runId);
  const ckpt = runFiles(home, runId).checkpoint(o.checkpoint);
  const meta = await readCheckpointMeta(ckpt).catch(() => {
    throw new OodlabError('not_found', `Run ${runId} has no checkpoint for ODIN.`);
  });
  const model = new ResNet18({ width: meta.width, numClasses: meta.numClasses });
  try {
    await loadCheckpoint(ckpt, model);
    const synthetic = config.synthetic && { seed: config.seed, ...config.synthetic };
    const test = await loadImageSet(home, config.dataset, 'test', synthetic);
    const sets: [string, ImageSet][] = [];
    for (const id of o.oodSets) sets.push([id, await loadImageSet(home, id as DatasetId, 'test', synthetic)]);
    const total = test.n + sets.reduce((s, [, v]) => s + v.n, 0);
    let done = 0;
    const bs = o.batchSize ?? 64;
    const forward = (x: Parameters<ResNet18['forward']>[0]) => model.forward(x, false).logits;
    const scoreSet = async (name: string, set: ImageSet) => {
      const out = new Float64Array(set.n);
      for (let s = 0; s < set.n; s += bs) {
        if (o.signal?.aborted) throw new OodlabError('cancelled', 'ODIN cancelled.');
        const count = Math.min(bs, set.n - s);
        const { x } = makeBatch(
          set,
          Uint32Array.from({ length: count }, (_, i) => s + i),
          { augment: false },
        );
        out.set(await odinBatch(forward, x, [count, 32, 32, 3], { T, eps, std: CIFAR100_STD }), s);
        done += count;
        o.progress?.(done / total, `ODIN: ${name} ${done}/${total}`);
      }
      return out;
    };
    const t0 = performance.now();
    const id = await scoreSet('ID test', test);
    const ood: Record<string, Float64Array> = {};
    for (const [name, set] of sets) ood[name] = await scoreSet(name, set);
    const seconds = (performance.now() - t0) / 1000;
    const user = o.params.odinT !== undefined || o.params.odinEps !== undefined;
    return {
      scores: { id, ood },
      result: {
        method: 'odin',
        label: odinSpec.label,
        paper: odinSpec.paper,
        params: { odinT: T, odinEps: eps },
        paramSource: user ? 'user' : 'default',
        datasets: Object.fromEntries(
          Object.keys(ood).map((s) => [
            s,
            { metrics: computeMetrics(id, ood[s]), roc: rocPoints(id, ood[s]) },
          ]),
        ),
        histogram: histograms(id, ood),
        seconds: { fit: 0, score: seconds },
      },
    };
  } finally {
    model.dispose();
  }
}
