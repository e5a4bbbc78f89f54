// The two extraction engines on the same checkpoint: tfjs (the backend's own forward pass) and ONNX Runtime (a
// temporary ONNX export) must write the same features, logits and per-stage features to float32 precision, and the
// engine choice follows the backend (ONNX Runtime for CPU backends) unless OODLAB_EXTRACT_ENGINE says otherwise.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ortFaster } from '../../../../main/engine/features/engine-choice';
import { extractRunFeatures } from '../../../../main/engine/features/extract';
import { loadFeatureDir } from '../../../../main/engine/features/store';
import { relativeError as relErr } from '../../../helpers/ref64';
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

describe('extractRunFeatures through tfjs and ONNX Runtime', () => {
  it('writes the same arrays', async () => {
    const { home } = t;
    const dirs: string[] = [];
    for (const engine of ['tfjs', 'onnxruntime']) {
      const run = await tinyRun(home, engine, {
        synthetic: { classes: 3, trainPerClass: 8, testPerClass: 4 },
        checkpoints: { best: 3 },
      });
      process.env.OODLAB_EXTRACT_ENGINE = engine;
      dirs.push(await extractRunFeatures(home, run.id, { checkpoint: 'best', proxyCount: 6 }));
    }
    const meta = JSON.parse(await readFile(join(dirs[1], 'meta.json'), 'utf8')) as { engine: string };
    expect(meta.engine).toMatch(/^onnxruntime/);
    const [a, b] = await Promise.all(dirs.map((d) => loadFeatureDir(d, { layers: true })));
    for (const k of ['idTrain', 'idTest', 'proxy'] as const) {
      expect(relErr(b[k]!.features, a[k]!.features)).toBeLessThan(1e-4);
      expect(relErr(b[k]!.logits, a[k]!.logits)).toBeLessThan(1e-4);
    }
    expect(relErr(b.ood['synthetic-ood'].features, a.ood['synthetic-ood'].features)).toBeLessThan(1e-4);
    for (const l of ['layer1', 'layer2', 'layer3', 'layer4'])
      expect(relErr(b.layers![l].idTrain, a.layers![l].idTrain)).toBeLessThan(1e-4);
    expect(Array.from(b.W)).toEqual(Array.from(a.W));
    expect(Array.from(b.idTrain.labels!)).toEqual(Array.from(a.idTrain.labels!));
  });
});
