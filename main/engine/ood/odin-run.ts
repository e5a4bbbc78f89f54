// ODIN on a run OODLab trained: the checkpoint's network scores ID test and each OOD set image by image through
// odin.ts (two forward passes and one backward pass to the input per batch), on the thread's backend. The result
// has the same shape as every other method's (metrics, ROC, histogram, parameters, sweep points), so the table, the
// figures and summary.json carry it like the others. Costs about four inference passes over the scored images.
// When the evaluation sweeps, (T, eps) are picked first on the images of the feature methods' validation split
// (sweep.ts's `rows`: the same held-out ID images and validation OOD images), by sweep.ts's rule; every input,
// ID or OOD, is normalised with the ID set's statistics, as feature extraction does.
import type { CheckpointRef, OodMethodResult, OodParams } from '../../../common/contract/ood';
import { OodlabError } from '../../../common/contract/errors';
import { CIFAR100_STD, makeBatch } from '../data/augment';
import { loadImageSet, type ImageSet } from '../data/load';
import type { DatasetId } from '../data/registry';
import { subsetImages } from '../data/subset';
import { patchShuffled } from '../features/proxy';
import { loadTrainSplit } from '../features/train-split';
import { loadCheckpoint, readCheckpointMeta } from '../model/checkpoint';
import { ResNet18 } from '../model/resnet';
import { readRunConfig, runFiles } from '../runs/store';
import { computeMetrics, histograms, rocPoints } from './metrics';
import { odinBatch, odinSpec } from './odin';
import { sweepGrid, sweepPoints, type SweepOutcome, type SweepRows } from './sweep';

export interface OdinRunOptions {
  checkpoint: CheckpointRef;
  oodSets: string[];
  params: OodParams;
  /** The rows of the feature methods' validation split: ODIN's grid is swept on their images. Absent: no sweep. */
  validation?: SweepRows;
  batchSize?: number;
  signal?: AbortSignal;
  progress?: (fraction: number, message: string) => void;
}

export interface OdinRun {
  result: OodMethodResult;
  scores: { id: Float64Array; ood: Record<string, Float64Array> };
  /** Why the grid was not swept although asked to (a validation OOD side without images). */
  note?: string;
}

type Params = { odinT: number; odinEps: number };

export async function odinForRun(home: string, runId: string, o: OdinRunOptions): Promise<OdinRun> {
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
    // the ID set's statistics (train and test share its manifest), for every input and for eps's per-channel step
    const norm = test.norm;
    const std = norm?.std ?? CIFAR100_STD;
    const withNorm = (s: ImageSet): ImageSet => ({ ...s, norm });
    const loadOod = async (id: string) =>
      withNorm(await loadImageSet(home, id as DatasetId, 'test', synthetic));
    const sets: [string, ImageSet][] = [];
    for (const id of o.oodSets) sets.push([id, await loadOod(id)]);

    // The validation images: the rows the feature methods validated on, as images.
    let pts = o.validation ? sweepPoints(odinSpec.grid, o.params) : null;
    let note: string | undefined;
    let val: { id: ImageSet; ood: ImageSet } | null = null;
    if (pts) {
      const rows = o.validation!;
      const p = rows.proxy;
      if (p.from === 'feature-space') {
        note =
          'ODIN was not swept: its validation OOD side must be images, and this features folder has neither a ' +
          'validation OOD set nor the patch-shuffled proxy (extract the features again).';
        pts = null;
      } else {
        const split = await loadTrainSplit(home, config, synthetic);
        const idFrom = rows.heldOut.from === 'id_val' ? split.val : split.train;
        if (!idFrom)
          throw new OodlabError('failed', `Run ${runId} has no validation split for ODIN's sweep.`);
        val = {
          id: withNorm(subsetImages(idFrom, rows.heldOut.index)),
          ood:
            p.from === 'ood'
              ? subsetImages(await loadOod(p.name), p.index)
              : withNorm(patchShuffled(test, p.n, config.seed)),
        };
      }
    }

    const perPoint = val ? val.id.n + val.ood.n : 0;
    const total = (pts?.length ?? 0) * perPoint + test.n + sets.reduce((s, [, v]) => s + v.n, 0);
    let done = 0;
    const bs = o.batchSize ?? 64;
    const forward = (x: Parameters<ResNet18['forward']>[0]) => model.forward(x, false).logits;
    const scoreSet = async (name: string, set: ImageSet, p: Params) => {
      const out = new Float64Array(set.n);
      for (let s = 0; s < set.n; s += bs) {
        if (o.signal?.aborted) throw new OodlabError('cancelled', 'ODIN cancelled.');
        const count = Math.min(bs, set.n - s);
        const { x } = makeBatch(
          set,
          Uint32Array.from({ length: count }, (_, i) => s + i),
          { augment: false },
        );
        out.set(await odinBatch(forward, x, [count, 32, 32, 3], { T: p.odinT, eps: p.odinEps, std }), s);
        done += count;
        o.progress?.(done / total, `ODIN: ${name} ${done}/${total}`);
      }
      return out;
    };
    const resolve = (p: OodParams): Params => ({
      odinT: p.odinT ?? odinSpec.defaults.odinT,
      odinEps: p.odinEps ?? odinSpec.defaults.odinEps,
    });

    let sweep: SweepOutcome | null = null;
    if (pts)
      sweep = await sweepGrid(
        pts,
        async (p) => {
          const q = resolve(p);
          const label = `validation T=${q.odinT} eps=${q.odinEps}`;
          return {
            params: q,
            id: await scoreSet(label, val!.id, q),
            ood: await scoreSet(label, val!.ood, q),
          };
        },
        o.signal,
      );
    const params = resolve({ ...o.params, ...(sweep?.best ?? {}) });
    const t0 = performance.now();
    const id = await scoreSet('ID test', test, params);
    const ood: Record<string, Float64Array> = {};
    for (const [name, set] of sets) ood[name] = await scoreSet(name, set, params);
    const seconds = (performance.now() - t0) / 1000;
    const user = o.params.odinT !== undefined || o.params.odinEps !== undefined;
    return {
      scores: { id, ood },
      note,
      result: {
        method: 'odin',
        label: odinSpec.label,
        paper: odinSpec.paper,
        params,
        paramSource: sweep ? 'sweep' : user ? 'user' : 'default',
        datasets: Object.fromEntries(
          Object.keys(ood).map((s) => [
            s,
            { metrics: computeMetrics(id, ood[s]), roc: rocPoints(id, ood[s]) },
          ]),
        ),
        histogram: histograms(id, ood),
        sweep: sweep?.points,
        seconds: { fit: 0, score: seconds },
      },
    };
  } finally {
    model.dispose();
  }
}
