// Where onnxruntime-node's native binding does not load (a platform it does not ship for, a damaged install),
// feature extraction of OODLab's own runs falls back to the tfjs forward pass and says why; an imported ONNX model,
// which only ONNX Runtime can run, fails with the reason (the app itself loads the package only on demand). The
// binding is made to fail here by mocking the package.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { extractionEngine } from '../../../../main/engine/features/engine-choice';
import { extractRunFeatures } from '../../../../main/engine/features/extract';
import { loadFeatureDir } from '../../../../main/engine/features/store';
import { inspectOnnxFile } from '../../../../main/engine/model/import/onnx-import';
import { ortLoadError } from '../../../../main/engine/model/onnx/package';
import { smallResNetOnnx } from '../../../helpers/onnx-graphs';
import { tinyRun, useTempHome } from '../../../helpers/runs';

vi.mock('onnxruntime-node', () => {
  throw new Error('onnxruntime_binding.node: cannot open shared object file');
});

const t = useTempHome('cpu');

describe('extraction without a loadable ONNX Runtime', () => {
  it('reports why ONNX Runtime does not load', async () => {
    expect(await ortLoadError()).toMatch(/cannot open shared object file/);
    const r = await extractionEngine('wasm', {});
    expect(r.engine).toBe('tfjs');
    expect(r.fallback).toMatch(
      /ONNX Runtime does not load here .*cannot open shared object file.*extracting with tfjs/,
    );
  });

  it('extracts a checkpoint through tfjs and logs the fallback', async () => {
    const { home } = t;
    const run = await tinyRun(home, 'fallback', {
      synthetic: { classes: 3, trainPerClass: 4, testPerClass: 2 },
    });
    const log: string[] = [];
    const dir = await extractRunFeatures(home, run.id, {
      checkpoint: 'best',
      proxyCount: 3,
      layers: false,
      log: (m) => log.push(m),
    });
    expect(log.some((m) => /does not load here.*extracting with tfjs/.test(m))).toBe(true);
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as { engine: string };
    expect(meta.engine).toBe('tfjs cpu');
    const f = await loadFeatureDir(dir);
    expect(f.idTest.n).toBe(6);
    expect(f.idTrain.features.every(Number.isFinite)).toBe(true);
  });

  it('refuses an ONNX model with the reason instead of failing to start', async () => {
    const file = join(t.home, 'small.onnx');
    await writeFile(file, smallResNetOnnx());
    await expect(inspectOnnxFile(file)).rejects.toThrow(
      /ONNX models need ONNX Runtime, which does not load here: .*cannot open shared object file/,
    );
  });
});
