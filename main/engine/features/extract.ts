// Feature extraction, once per run and checkpoint: the network runs in eval mode over ID train, ID test, each OOD
// set and the patch-shuffled proxy, and everything the analyses need is cached as .npy in DESIGN.md's layout
// (logits, penultimate features, labels, fc weight/bias, and per-stage pooled features of ID train/test for the
// layer-wise Neural Collapse study). meta.json is written last: its presence means the folder is complete.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OodlabError } from '../../../common/contract/errors';
import { currentBackend, initBackend, tf } from '../backend';
import { makeBatch } from '../data/augment';
import type { ImageSet } from '../data/load';
import { loadExtractionSets } from './extraction-sets';
import { loadCheckpoint, readCheckpointMeta } from '../model/checkpoint';
import { ortLoadError } from '../model/onnx/package';
import { ResNet18 } from '../model/resnet';
import { writeJsonAtomic } from '../runs/atomic';
import { readRunConfig, runFiles } from '../runs/store';
import { writeNpy } from './npy';
import { extractionEngine, isImportedOnnx } from './engine-choice';
import { checkpointName } from '../../../common/contract/checkpoint-name';
import type { ExtractOptions } from './extract-options';
import { featuresDirFor } from './paths';
import { writeFeatureSet } from './store';

export type { ExtractOptions } from './extract-options';

interface Pass {
  features: Float32Array;
  logits: Float32Array;
  stages: Float32Array[];
}

async function forwardAll(
  model: ResNet18,
  set: ImageSet,
  o: ExtractOptions,
  withStages: boolean,
  tick: (k: number) => void,
): Promise<Pass> {
  const { width, numClasses: C } = model.config;
  const D = 8 * width;
  const dims = [width, 2 * width, 4 * width, 8 * width];
  const out: Pass = {
    features: new Float32Array(set.n * D),
    logits: new Float32Array(set.n * C),
    stages: withStages ? dims.map((d) => new Float32Array(set.n * d)) : [],
  };
  const bs = o.batchSize ?? 128;
  for (let s = 0; s < set.n; s += bs) {
    if (o.signal?.aborted) throw new OodlabError('cancelled', 'Feature extraction cancelled.');
    const count = Math.min(bs, set.n - s);
    const idx = Uint32Array.from({ length: count }, (_, i) => s + i);
    const { x } = makeBatch(set, idx, { augment: false });
    const r = tf.tidy(() => {
      const f = model.forward(tf.tensor4d(x, [count, 32, 32, 3]), false);
      return { logits: f.logits, features: f.features, stages: withStages ? f.stages : [] };
    });
    out.logits.set(await r.logits.data(), s * C);
    out.features.set(await r.features.data(), s * D);
    for (const [k, t] of r.stages.entries()) out.stages[k].set(await t.data(), s * dims[k]);
    tf.dispose([r.logits, r.features, ...r.stages]);
    tick(count);
  }
  return out;
}

interface FeaturesMeta {
  oodSets: string[];
  layers: boolean;
}

/** True when dir holds a complete extraction with these OOD sets (and layers, when asked for). */
async function cached(dir: string, oodSets: string[] | undefined, layers: boolean): Promise<boolean> {
  try {
    const m = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as FeaturesMeta;
    return (oodSets ?? []).every((s) => m.oodSets.includes(s)) && (!layers || m.layers);
  } catch {
    return false;
  }
}

/** Extracts (or finds cached) features of a run's checkpoint; returns the features folder. */
export async function extractRunFeatures(home: string, runId: string, o: ExtractOptions): Promise<string> {
  // an imported ONNX run has one model: every checkpoint name means it, and its features live in features/
  const onnxRun = isImportedOnnx(home, runId);
  const dir = featuresDirFor(home, runId, onnxRun ? 'best' : o.checkpoint);
  const layers = o.layers ?? true;
  if (await cached(dir, o.oodSets, layers)) return dir;
  // loaded on demand: onnxruntime-node's native binding may not load on every machine (tfjs is the fallback)
  const onnx = () => import('./extract-onnx');
  if (onnxRun) {
    const why = await ortLoadError();
    if (why) throw new OodlabError('failed', `Run ${runId} is an ONNX model and ONNX Runtime does not load here: ${why}`); // prettier-ignore
    const { extractWithOnnx, importedOnnxSource } = await onnx();
    const src = await importedOnnxSource(home, runId);
    return extractWithOnnx(
      home,
      runId,
      await readRunConfig(home, runId),
      src,
      { ...o, checkpoint: 'best' },
      dir,
    );
  }
  // A thread initialises its backend once; a later extraction (another checkpoint) reuses it unless told otherwise.
  const want = o.backend ?? 'auto';
  const have = currentBackend();
  if (!have || (want !== 'auto' && have.name !== want)) await initBackend(want);
  const config = await readRunConfig(home, runId);
  const ckpt = runFiles(home, runId).checkpoint(o.checkpoint);
  const meta = await readCheckpointMeta(ckpt).catch(() => {
    throw new OodlabError('not_found', `Run ${runId} has no checkpoint ${checkpointName(o.checkpoint)}.`);
  });
  const choice = await extractionEngine(currentBackend()?.name);
  if (choice.engine === 'onnxruntime') {
    const { checkpointOnnxSource, extractWithOnnx } = await onnx();
    return extractWithOnnx(home, runId, config, await checkpointOnnxSource(ckpt), o, dir);
  }
  if (choice.fallback) o.log?.(choice.fallback);
  const model = new ResNet18({ width: meta.width, numClasses: meta.numClasses });
  try {
    await loadCheckpoint(ckpt, model);
    const { sets, total, meta: about } = await loadExtractionSets(home, config, o);
    let done = 0;
    const tick = (what: string) => (k: number) => {
      done += k;
      o.progress?.(done / total, `features: ${what} ${done}/${total}`);
    };

    await mkdir(dir, { recursive: true });
    const { weight, bias } = model.classifier();
    const C = meta.numClasses;
    const D = 8 * meta.width;
    await writeNpy(join(dir, 'fc_weight.npy'), Float32Array.from(await weight.data()), [C, D]);
    await writeNpy(join(dir, 'fc_bias.npy'), Float32Array.from(await bias.data()), [C]);
    for (const { prefix, set, isId, withStages } of sets) {
      o.log?.(`extracting ${prefix} (${set.n} images)`);
      const r = await forwardAll(model, set, o, withStages, tick(prefix));
      await writeFeatureSet(dir, prefix, {
        ...r,
        labels: isId ? set.labels : undefined,
        n: set.n,
        dim: D,
        classes: C,
      });
      for (const [k, st] of r.stages.entries())
        await writeNpy(join(dir, `layer${k + 1}_${prefix}_features.npy`), st, [set.n, st.length / set.n]);
    }
    await writeJsonAtomic(join(dir, 'meta.json'), {
      runId,
      checkpoint: checkpointName(o.checkpoint),
      epoch: meta.epoch,
      width: meta.width,
      classes: C,
      dim: D,
      idDataset: config.dataset,
      oodSets: about.oodSets,
      layers,
      engine: `tfjs ${currentBackend()?.name ?? ''}`.trim(),
      validation: about.validation,
      proxy: about.proxy,
      createdAt: new Date().toISOString(),
    });
    return dir;
  } finally {
    model.dispose();
  }
}
