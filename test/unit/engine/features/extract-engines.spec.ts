// The two extraction engines on the same trained checkpoint: tfjs (the backend's own forward pass) and ONNX Runtime
// (a temporary ONNX export) must write the same features, logits and per-stage features to float32 precision, and
// the engine choice follows the backend (ONNX Runtime for CPU backends, when it loads) unless OODLAB_EXTRACT_ENGINE
// says otherwise. The fallback when onnxruntime-node does not load at all is engine-choice.spec.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tf } from '../../../../main/engine/backend';
import { extractionEngine, ortFaster } from '../../../../main/engine/features/engine-choice';
import { extractRunFeatures } from '../../../../main/engine/features/extract';
import { loadFeatureDir } from '../../../../main/engine/features/store';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { Sgd } from '../../../../main/engine/train/sgd';
import { trainStep } from '../../../../main/engine/train/step';
import { relativeError } from '../../../helpers/ref64';
import { tinyRun, useTempHome } from '../../../helpers/runs';

const t = useTempHome('cpu');
afterEach(() => {
  delete process.env.OODLAB_EXTRACT_ENGINE;
});

describe('ortFaster', () => {
  it('prefers ONNX Runtime on CPU backends, tfjs on GPU ones, and obeys the override', () => {
    expect(ortFaster('wasm', {})).toBe(true);
    expect(ortFaster('cpu', {})).toBe(true);
    expect(ortFaster('webgpu', { OODLAB_ORT_CUDA: '0' })).toBe(false);
    expect(ortFaster('wasm', { OODLAB_EXTRACT_ENGINE: 'tfjs' })).toBe(false);
    expect(ortFaster('webgpu', { OODLAB_EXTRACT_ENGINE: 'onnxruntime' })).toBe(true);
  });
});

describe('extractionEngine', () => {
  const loads = () => Promise.resolve(null);
  const broken = () => Promise.resolve('libonnxruntime.so.1: cannot open shared object file');
  it('takes ONNX Runtime where it is faster and loads, tfjs with the reason where it does not load', async () => {
    expect(await extractionEngine('wasm', {}, loads)).toEqual({ engine: 'onnxruntime' });
    expect(await extractionEngine('webgpu', { OODLAB_ORT_CUDA: '0' }, loads)).toEqual({ engine: 'tfjs' });
    const r = await extractionEngine('wasm', {}, broken);
    expect(r.engine).toBe('tfjs');
    expect(r.fallback).toMatch(/does not load here \(libonnxruntime\.so\.1: cannot open/);
  });
  it('fails instead of falling back when ONNX Runtime was asked for by name', async () => {
    await expect(extractionEngine('wasm', { OODLAB_EXTRACT_ENGINE: 'onnxruntime' }, broken)).rejects.toThrow(
      /OODLAB_EXTRACT_ENGINE=onnxruntime, but ONNX Runtime does not load here/,
    );
  });
});

/** A width-2 network after a few SGD steps, so that batch norm's running statistics (which ONNX export folds into
 * the convolutions) are far from their initial 0 / 1 and the weights are not the initialiser's. */
async function trainedModel(): Promise<ResNet18> {
  const model = new ResNet18({ width: 2, numClasses: 3, seed: 3 });
  const opt = new Sgd({ lr: 0.2, momentum: 0.9, nesterov: false, weightDecay: 5e-4 });
  const x = tf.randomNormal([8, 32, 32, 3], 0.5, 2, 'float32', 5) as tf.Tensor4D;
  const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
  for (let i = 0; i < 4; i++) await trainStep(model, opt, x, y, { labelSmoothing: 0 });
  tf.dispose([x, y]);
  opt.dispose();
  return model;
}

describe('extractRunFeatures through tfjs and ONNX Runtime', () => {
  it('writes the same arrays', async () => {
    const { home } = t;
    const model = await trainedModel();
    const stats = model.namedTensors().find((t) => t.name === 'layer1.0.bn1.running_var')!;
    const v = await stats.variable.data();
    expect(Math.max(...Array.from(v, (e) => Math.abs(e - 1)))).toBeGreaterThan(0.05);
    const dirs: string[] = [];
    for (const engine of ['tfjs', 'onnxruntime']) {
      const run = await tinyRun(home, engine, {
        synthetic: { classes: 3, trainPerClass: 8, testPerClass: 4 },
        model,
      });
      process.env.OODLAB_EXTRACT_ENGINE = engine;
      dirs.push(await extractRunFeatures(home, run.id, { checkpoint: 'best', proxyCount: 6 }));
    }
    model.dispose();
    const metas = await Promise.all(
      dirs.map(
        async (d) => (JSON.parse(await readFile(join(d, 'meta.json'), 'utf8')) as { engine: string }).engine,
      ),
    );
    expect(metas[0]).toBe('tfjs cpu');
    expect(metas[1]).toMatch(/^onnxruntime/);
    const [a, b] = await Promise.all(dirs.map((d) => loadFeatureDir(d, { layers: true })));
    // Tolerance: both engines compute the same float32 sums (batch norm folded the same way, export.ts) in different
    // orders (tfjs cpu: direct loops; ONNX Runtime: im2col GEMM / NCHWc kernels). Each of the 18 convolutions sums at
    // most 9 x 16 products, so round-off per layer is a few float32 ulps (1.2e-7 relative) of the sum's largest terms
    // and grows through the depth: measured 4e-7 to 2e-6 of the largest value here. 1e-4 leaves a 50x margin; a real
    // difference (an unfolded or wrongly folded batch norm, a missing residual, a wrong layout) is of order 1e-1 to 1.
    const tol = 1e-4;
    for (const k of ['idTrain', 'idTest', 'proxy'] as const) {
      expect(relativeError(b[k]!.features, a[k]!.features)).toBeLessThan(tol);
      expect(relativeError(b[k]!.logits, a[k]!.logits)).toBeLessThan(tol);
    }
    expect(relativeError(b.ood['synthetic-ood'].features, a.ood['synthetic-ood'].features)).toBeLessThan(tol);
    for (const l of ['layer1', 'layer2', 'layer3', 'layer4'])
      expect(relativeError(b.layers![l].idTrain, a.layers![l].idTrain)).toBeLessThan(tol);
    expect(Array.from(b.W)).toEqual(Array.from(a.W));
    expect(Array.from(b.idTrain.labels!)).toEqual(Array.from(a.idTrain.labels!));
  });
});
