// Feature extraction through ONNX Runtime, for imported ONNX models and (as a temporary ONNX export of the
// checkpoint) for OODLab's own models when the tfjs backend in use is a CPU one: on a 2-core machine ONNX Runtime's
// kernels are several times faster than tfjs' wasm (bench/onnx-extract.ts measures both). It writes the same .npy
// layout as extract.ts (features, logits, labels, fc_weight/fc_bias, layer<k>_*), batch by batch, meta.json last.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OodlabError } from '../../../common/contract/errors';
import { ImportedModel } from '../../../common/contract/models';
import type { TrainConfig } from '../../../common/contract/train';
import type { ImageSet } from '../data/load';
import { loadExtractionSets } from './extraction-sets';
import { readCheckpointTensors } from '../model/checkpoint-plain';
import { importFile } from '../model/import/stage';
import { exportedPlan, exportResNetOnnx } from '../model/onnx/export';
import { inspectOnnx } from '../model/onnx/inspect';
import { openExtractor, type OnnxPlan } from '../model/onnx/runner';
import { writeJsonAtomic } from '../runs/atomic';
import { runDir } from '../runs/store';
import type { ExtractOptions } from './extract-options';
import { fitLinearHead } from './linear-fit';
import { writeNpy } from './npy';
import { checkpointName } from '../../../common/contract/checkpoint-name';
import { writeFeatureSet } from './store';

/** An ONNX graph ready to extract from, with the classifier the analyses use. */
export interface OnnxSource {
  bytes: Uint8Array;
  plan: OnnxPlan;
  /** (C, D) and (C); null when they are to be fitted from the features (a head that is not a readable Gemm). */
  head: { W: Float32Array; b: Float32Array } | null;
  C: number;
  D: number;
  epoch: number;
  width?: number;
  describe: string;
}

/** The imported ONNX model of a run. */
export async function importedOnnxSource(home: string, runId: string): Promise<OnnxSource> {
  const rec = ImportedModel.parse(JSON.parse(await readFile(importFile(home, runId), 'utf8')));
  if (rec.format !== 'onnx' || !rec.onnx)
    throw new OodlabError('failed', `Run ${runId} is not an imported ONNX model.`);
  const file = join(runDir(home, runId), rec.file);
  const bytes = new Uint8Array(await readFile(file));
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== rec.sha256)
    throw new OodlabError(
      'failed',
      `${file} does not match its import record (sha256 ${sha.slice(0, 12)}…, recorded ${rec.sha256.slice(0, 12)}…): ` +
        'it was changed or damaged since the import; import the model again.',
    );
  const info = inspectOnnx(bytes, file);
  const o = rec.onnx;
  const head = o.head !== 'fitted' && info.head ? { W: info.head.W, b: info.head.b } : null;
  return {
    bytes,
    plan: { ...o, mean: rec.mean, std: rec.std },
    head,
    C: rec.classes,
    D: rec.dim,
    epoch: 0,
    describe: `imported ONNX model ${rec.source} (sha256 ${rec.sha256.slice(0, 12)}…)`,
  };
}

/** A checkpoint of OODLab's own ResNet-18 as a temporary ONNX graph. */
export async function checkpointOnnxSource(dir: string): Promise<OnnxSource> {
  const ck = await readCheckpointTensors(dir);
  const W = ck.weights.get('linear.weight')!.data;
  const b = ck.weights.get('linear.bias')!.data;
  return {
    bytes: exportResNetOnnx(ck.weights, ck),
    plan: exportedPlan,
    head: { W: Float32Array.from(W), b: Float32Array.from(b) },
    C: ck.numClasses,
    D: 8 * ck.width,
    epoch: ck.epoch,
    width: ck.width,
    describe: `checkpoint ${dir} through ONNX Runtime`,
  };
}

interface Pass {
  features: Float32Array;
  logits: Float32Array;
  stages: Float32Array[];
  dims: number[];
}

export async function extractWithOnnx(
  home: string,
  runId: string,
  config: TrainConfig,
  src: OnnxSource,
  o: ExtractOptions,
  dir: string,
): Promise<string> {
  const layers = o.layers ?? true;
  const ex = await openExtractor(src.bytes, src.plan, { batchSize: o.batchSize ?? 128, log: o.log });
  const engine = `ONNX Runtime ${ex.ort.version}, ${ex.ort.provider === 'cuda' ? 'CUDA' : `CPU ${ex.ort.threads} threads`}`;
  o.log?.(`extracting from the ${src.describe} (${engine})`);
  try {
    const { sets, total, meta: about } = await loadExtractionSets(home, config, o);
    let done = 0;

    const forwardAll = async (set: ImageSet, what: string, withStages: boolean): Promise<Pass> => {
      const { C, D } = src;
      const out: Pass = {
        features: new Float32Array(set.n * D),
        logits: new Float32Array(set.n * C),
        stages: [],
        dims: [],
      };
      for (let s = 0; s < set.n; s += ex.rows) {
        if (o.signal?.aborted) throw new OodlabError('cancelled', 'Feature extraction cancelled.');
        const count = Math.min(ex.rows, set.n - s);
        const r = await ex.run(set.images, s, count);
        out.logits.set(r.logits, s * C);
        out.features.set(r.features, s * D);
        if (withStages) {
          if (!out.stages.length) {
            out.dims = r.dims.slice(2);
            out.stages = out.dims.map((d) => new Float32Array(set.n * d));
          }
          r.layers.forEach((l, k) => out.stages[k].set(l, s * out.dims[k]));
        }
        done += count;
        o.progress?.(done / total, `features: ${what} ${done}/${total} (${engine})`);
      }
      return out;
    };

    await mkdir(dir, { recursive: true });
    let head = src.head;
    let fitNote: string | undefined;
    for (const { prefix, set, isId, withStages } of sets) {
      o.log?.(`extracting ${prefix} (${set.n} images)`);
      const r = await forwardAll(set, prefix, withStages);
      if (!head) {
        const fit = fitLinearHead(r.features, r.logits, set.n, src.D, src.C);
        head = { W: fit.W, b: fit.b };
        fitNote = `W, b fitted by least squares on ${Math.min(set.n, 10000)} ID train images (max relative residual ${fit.residual.toExponential(2)})`;
        o.log?.(fitNote);
      }
      await writeFeatureSet(dir, prefix, {
        ...r,
        labels: isId ? set.labels : undefined,
        n: set.n,
        dim: src.D,
        classes: src.C,
      });
      for (const [k, st] of r.stages.entries())
        await writeNpy(join(dir, `layer${k + 1}_${prefix}_features.npy`), st, [set.n, r.dims[k]]);
    }
    await writeNpy(join(dir, 'fc_weight.npy'), head!.W, [src.C, src.D]);
    await writeNpy(join(dir, 'fc_bias.npy'), head!.b, [src.C]);
    await writeJsonAtomic(join(dir, 'meta.json'), {
      runId,
      checkpoint: checkpointName(o.checkpoint),
      epoch: src.epoch,
      ...(src.width ? { width: src.width } : {}),
      classes: src.C,
      dim: src.D,
      idDataset: config.dataset,
      oodSets: about.oodSets,
      layers,
      layerTensors: src.plan.layers,
      engine: `onnxruntime ${ex.ort.version} (${ex.ort.provider}${ex.ort.provider === 'cpu' ? `, ${ex.ort.threads} threads` : ''})`,
      ...(fitNote ? { head: fitNote } : {}),
      validation: about.validation,
      proxy: about.proxy,
      createdAt: new Date().toISOString(),
    });
    return dir;
  } finally {
    await ex.release();
  }
}
