// Bring your own model, end to end through the CLI (bin/oodlab.js after `npm run build`; tsx from sources without
// a build): an ONNX classifier written with the official schema is imported against the synthetic data set,
// evaluated by the OOD detectors, analysed for Neural Collapse layer by layer, exported and run through the whole
// pipeline (which skips training); a PyTorch state_dict is imported and exported to ONNX, whose logits must match
// the ones PyTorch computed.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportModelResult } from '../../common/contract/models';
import { NcResults } from '../../common/contract/nc';
import { OodResults } from '../../common/contract/ood';
import { Summary } from '../../common/contract/report';
import { readNpy } from '../../main/engine/features/npy';
import { openSession, ort } from '../../main/engine/model/onnx/session';
import { smallResNetOnnx } from '../helpers/onnx-graphs';
import { cliBuilt, repoRoot, runOodlab } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const built = cliBuilt;
const oodlab = async (home: string, args: string[]) => (await runOodlab(home, args)).stdout;

let home: string;
let cleanup: () => Promise<void>;
let runId: string;
beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir('oodlab-import-'));
  await writeFile(join(home, 'classifier.onnx'), smallResNetOnnx({ classes: 4 }));
});
afterAll(() => cleanup());

describe(`oodlab import-model (${built ? 'built CLI' : 'sources'})`, () => {
  it('imports an ONNX classifier as a run', async () => {
    const out = await oodlab(home, [
      'import-model',
      join(home, 'classifier.onnx'),
      '--dataset',
      'synthetic',
      '--json',
    ]);
    const r = ImportModelResult.parse(JSON.parse(out));
    runId = r.run.id;
    expect(r.run.kind).toBe('imported');
    expect(r.model.onnx).toMatchObject({
      features: 'penultimate',
      head: 'Gemm',
      layers: ['stage1.out', 'stage2.out'],
    });
    const text = await oodlab(home, ['runs']);
    expect(text).toContain(runId);
    expect(await oodlab(home, ['runs', 'show', runId])).toMatch(
      /imported onnx model from .*classifier\.onnx \(sha256 [0-9a-f]{64}\)/,
    );
  });

  it('evaluates the OOD detectors on it', async () => {
    const r = OodResults.parse(JSON.parse(await oodlab(home, ['evaluate', runId, '--json'])));
    expect(Object.keys(r.oodSets)).toEqual(['synthetic-ood']);
    expect(r.methods.length).toBeGreaterThanOrEqual(6);
    expect([r.classes, r.dim]).toEqual([4, 8]);
    for (const m of r.methods) {
      const { auroc } = m.datasets['synthetic-ood'].metrics;
      expect(auroc).toBeGreaterThanOrEqual(0);
      expect(auroc).toBeLessThanOrEqual(1);
    }
  });

  it('analyses Neural Collapse across its layers', async () => {
    const r = NcResults.parse(JSON.parse(await oodlab(home, ['analyze', runId, '--layers', '--json'])));
    expect(r.layers.map((l) => l.name)).toEqual(['layer1', 'layer2', 'penultimate']);
    expect(Number.isFinite(r.final.nc1)).toBe(true);
  });

  it('exports its report and runs the pipeline on it without training', async () => {
    const out = await oodlab(home, ['pipeline', '--run', runId, '--format', 'svg']);
    expect(out).toContain('[2/5] Training: skipped (an imported model)');
    const s = Summary.parse(JSON.parse(await readFile(join(home, 'runs', runId, 'summary.json'), 'utf8')));
    expect(s.ood?.table.length).toBeGreaterThan(0);
    expect(s.imported).toMatchObject({ format: 'onnx', onnx: { features: 'penultimate' } });
  });

  it('export-model gives back the imported file', async () => {
    const out = join(home, 'back.onnx');
    await oodlab(home, ['export-model', runId, '--out', out]);
    expect(Buffer.compare(await readFile(out), await readFile(join(home, 'classifier.onnx')))).toBe(0);
  });

  it('imports a PyTorch state_dict and exports it as ONNX with PyTorch’s logits', async () => {
    const fix = join(repoRoot, 'test/fixtures/pytorch');
    const r = ImportModelResult.parse(
      JSON.parse(
        await oodlab(home, [
          'import-model',
          join(fix, 'resnet18_w4.pth'),
          '--arch',
          'resnet18-cifar',
          '--json',
        ]),
      ),
    );
    const file = join(home, 'w4.onnx');
    expect(await oodlab(home, ['export-model', r.run.id, '--out', file])).toContain('opset 13');
    const x = await readNpy(join(fix, 'input.npy'));
    const want = (await readNpy(join(fix, 'logits.npy'))).data as Float32Array;
    const { session } = await openSession(file);
    const got = (await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, x.shape) }))
      .logits.data as Float32Array;
    const scale = Math.max(...want.map(Math.abs));
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]) / scale).toBeLessThan(1e-4);
    await session.release();
  });

  it('refuses a bad file with a message naming it', async () => {
    const bad = join(home, 'notes.onnx');
    await writeFile(bad, 'not a model at all');
    const err = await oodlab(home, ['import-model', bad, '--dataset', 'synthetic']).catch(
      (e: { stderr: string; code: number }) => e,
    );
    expect(typeof err === 'object' && err.code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/notes\.onnx: not an ONNX model/);
  });
});
