// Importing ONNX classifiers made elsewhere (fixtures written with the official schema, test/helpers/onnx-graphs.ts):
// the head is found for Gemm (both transB), MatMul + Add, and fitted when the user names the features of a graph
// that ends otherwise; the stage outputs are offered and pooled; features extracted through ONNX Runtime satisfy
// logits = features W' + b with the W, b read from the graph (float64 reference); every bad input is refused with
// a sentence naming the file, and no run is left behind.
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportedModel } from '../../../../common/contract/models';
import { extractRunFeatures } from '../../../../main/engine/features/extract';
import { loadFeatureDir } from '../../../../main/engine/features/store';
import { importModel } from '../../../../main/engine/model/import';
import { inspectOnnx } from '../../../../main/engine/model/onnx/inspect';
import { readTorchZip } from '../../../../main/engine/model/import/torch-load';
import { toInput, withOutputs } from '../../../../main/engine/model/onnx/runner';
import { openSession, ort } from '../../../../main/engine/model/onnx/session';
import { readNpy } from '../../../../main/engine/features/npy';
import { listRuns, runFiles } from '../../../../main/engine/runs/store';
import { smallResNetOnnx, type GraphOptions } from '../../../helpers/onnx-graphs';
import { tempDir } from '../../../helpers/tmp';

let home: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir());
});
afterAll(() => cleanup());

let n = 0;
async function modelFile(o: GraphOptions, bytes = smallResNetOnnx(o)): Promise<string> {
  const f = join(home, `model-${n++}.onnx`);
  await writeFile(f, bytes);
  return f;
}

/** max over rows of |features W' + b - logits| / max |logits|, in float64. */
function headResidual(rf: Awaited<ReturnType<typeof loadFeatureDir>>): number {
  const { C, D, W, b, idTest } = rf;
  let err = 0;
  let mag = 0;
  for (let i = 0; i < idTest.n; i++)
    for (let c = 0; c < C; c++) {
      let s = b[c];
      for (let k = 0; k < D; k++) s += idTest.features[i * D + k] * W[c * D + k];
      err = Math.max(err, Math.abs(s - idTest.logits[i * C + c]));
      mag = Math.max(mag, Math.abs(idTest.logits[i * C + c]));
    }
  return err / mag;
}

describe('inspectOnnx', () => {
  it('reads W and b from Gemm (transB 0 and 1) and MatMul + Add alike', () => {
    const heads = (['gemm', 'gemm-plain', 'matmul'] as const).map((head) =>
      inspectOnnx(smallResNetOnnx({ head }), 'x.onnx'),
    );
    expect(heads.map((h) => h.head?.via)).toEqual(['Gemm', 'Gemm', 'MatMul+Add']);
    for (const h of heads) {
      expect([h.head!.C, h.head!.D, h.head!.features]).toEqual([4, 8, 'penultimate']);
      expect(Array.from(h.head!.W)).toEqual(Array.from(heads[0].head!.W));
      expect(Array.from(h.head!.b)).toEqual(Array.from(heads[0].head!.b));
    }
    expect(heads[0].residualOutputs).toEqual(['stage1.out', 'stage2.out']);
  });
});

describe('toInput', () => {
  const img = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37) % 256);
  const plan = { size: [32, 32] as [number, number], mean: [0, 0, 0], std: [1, 1, 1] };
  it('is the identity at 32x32 (NHWC -> NCHW, /255)', () => {
    const x = toInput(img, 0, 1, 1, plan);
    expect(x[1 * 1024 + 5 * 32 + 7]).toBeCloseTo(img[(5 * 32 + 7) * 3 + 1] / 255, 6);
  });
  it('halves by averaging 2x2 blocks (bilinear with half-pixel centres)', () => {
    const x = toInput(img, 0, 1, 1, { ...plan, size: [16, 16] });
    const p = (y: number, xx: number) => img[(y * 32 + xx) * 3 + 2] / 255;
    const want = (p(6, 10) + p(6, 11) + p(7, 10) + p(7, 11)) / 4;
    expect(x[2 * 256 + 3 * 16 + 5]).toBeCloseTo(want, 6);
  });
});

describe('importModel (ONNX)', () => {
  for (const head of ['gemm', 'gemm-plain', 'matmul'] as const)
    it(`imports a ${head} graph and extracts features consistent with its head`, async () => {
      const r = await importModel(home, { path: await modelFile({ head }), dataset: 'synthetic' });
      expect(r.run.kind).toBe('imported');
      expect(r.model.onnx?.layers).toEqual(['stage1.out', 'stage2.out']);
      expect(r.model.onnx?.layerDims).toEqual([4, 8]);
      expect(r.notes.join(' ')).toMatch(/global-average-pooled/);
      const dir = await extractRunFeatures(home, r.run.id, { checkpoint: 'best', proxyCount: 8 });
      const rf = await loadFeatureDir(dir, { layers: true });
      expect([rf.C, rf.D, rf.idTrain.n]).toEqual([4, 8, 4 * 64]);
      expect(headResidual(rf)).toBeLessThan(1e-5);
      expect(Object.keys(rf.layers!)).toEqual(['layer1', 'layer2']);
      // layer2 is the pooled stage-2 output, which is exactly the penultimate feature vector
      const l2 = rf.layers!.layer2.idTest;
      for (let i = 0; i < 64; i++) expect(l2[i]).toBeCloseTo(rf.idTest.features[i], 6);
    });

  it('fits W, b when the graph does not end in a Gemm and --features is named', async () => {
    const f = await modelFile({ head: 'scaled' });
    await expect(importModel(home, { path: f, dataset: 'synthetic' })).rejects.toThrow(
      /ends in Mul .*--features NODE.*stage1\.out, stage2\.out/,
    );
    const r = await importModel(home, {
      path: f,
      dataset: 'synthetic',
      features: 'flatten',
      layers: ['stage2.out'],
    });
    expect(r.model.onnx?.head).toBe('fitted');
    expect(r.model.onnx?.features).toBe('penultimate');
    const dir = await extractRunFeatures(home, r.run.id, { checkpoint: 'best', proxyCount: 8 });
    const rf = await loadFeatureDir(dir, {});
    expect(headResidual(rf)).toBeLessThan(1e-4);
    // the fitted W is twice the Gemm's (the graph multiplies the logits by 2)
    const gemm = inspectOnnx(smallResNetOnnx({ head: 'gemm' }), 'x').head!;
    expect(rf.W[5]).toBeCloseTo(2 * gemm.W[5], 3);
  });

  it('takes the input of a final Softmax as the logits', async () => {
    const r = await importModel(home, { path: await modelFile({ softmax: true }), dataset: 'synthetic' });
    expect(r.model.onnx).toMatchObject({ logits: 'logits', head: 'Gemm', features: 'penultimate' });
    expect(r.notes.join(' ')).toMatch(/ends in Softmax/);
    const dir = await extractRunFeatures(home, r.run.id, {
      checkpoint: 'best',
      proxyCount: 4,
      layers: false,
    });
    const rf = await loadFeatureDir(dir, {});
    expect(headResidual(rf)).toBeLessThan(1e-5);
    expect(rf.idTest.logits.some((v) => v < 0)).toBe(true); // logits, not probabilities
  });

  it('works with a fixed batch of 1 and a fixed 40x40 input (resized), saying so', async () => {
    const r = await importModel(home, {
      path: await modelFile({ batch: 1, size: 40 }),
      dataset: 'synthetic',
    });
    expect(r.notes.join(' ')).toMatch(/batch at 1.*slower/);
    expect(r.notes.join(' ')).toMatch(/resized from 32x32 to 40x40/);
    const dir = await extractRunFeatures(home, r.run.id, {
      checkpoint: 'best',
      proxyCount: 4,
      layers: false,
    });
    expect(headResidual(await loadFeatureDir(dir, {}))).toBeLessThan(1e-5);
  });

  it('copies the file with its sha256', async () => {
    const f = await modelFile({});
    const r = await importModel(home, { path: f, dataset: 'synthetic', name: 'mine' });
    const run = runFiles(home, r.run.id);
    const rec = ImportedModel.parse(JSON.parse(await readFile(join(run.dir, 'import.json'), 'utf8')));
    const { createHash } = await import('node:crypto');
    expect(rec.sha256).toBe(
      createHash('sha256')
        .update(await readFile(f))
        .digest('hex'),
    );
    expect(existsSync(join(run.dir, rec.file))).toBe(true);
    expect(r.run.name).toBe('mine');
  });

  it('refuses bad models with a sentence naming the file, leaving no run behind', async () => {
    const before = (await listRuns(home)).length;
    const good = smallResNetOnnx({});
    const cases: [string, Promise<string>, Record<string, unknown>, RegExp][] = [
      [
        'random bytes',
        modelFile(
          {},
          Uint8Array.from({ length: 300 }, (_, i) => (i * 91) % 251),
        ),
        {},
        /not an ONNX model/,
      ],
      [
        'truncated',
        modelFile({}, good.subarray(0, Math.floor(good.length / 2))),
        {},
        /not an ONNX model|truncated/,
      ],
      ['no image input', modelFile({ flatInput: true }), {}, /has no image input/],
      [
        'two inputs',
        modelFile({ extraInputs: [{ name: 'mask', type: { tensorType: { elemType: 1 } } }] }),
        {},
        /more than one input/,
      ],
      [
        'logits width',
        modelFile({ classes: 5 }),
        { dataset: 'cifar100' },
        /5 classes, but CIFAR-100 has 100/,
      ],
      ['opset', modelFile({ opset: 99 }), {}, /opset 99/],
      ['features node', modelFile({}), { features: 'nope' }, /no tensor or node named 'nope'.*stage1\.out/],
      ['layers node', modelFile({}), { layers: ['stage1.out', 'nah'] }, /no tensor or node named 'nah'/],
    ];
    for (const [what, file, extra, msg] of cases) {
      const f = await file;
      const p = importModel(home, { path: f, dataset: 'synthetic', ...extra });
      await expect(p, what).rejects.toThrow(msg);
      await expect(importModel(home, { path: f, dataset: 'synthetic', ...extra }), what).rejects.toThrow(f);
    }
    await expect(
      importModel(home, { path: join(home, 'missing.onnx'), dataset: 'synthetic' }),
    ).rejects.toThrow(/missing\.onnx: no such file/);
    expect((await listRuns(home)).length).toBe(before);
    expect((await readdir(join(home, 'runs'))).filter((d) => d.startsWith('.'))).toEqual([]);
  });
});

describe('an imported run’s model file', () => {
  it('is checked against its sha256 before extraction', async () => {
    const r = await importModel(home, { path: await modelFile({}), dataset: 'synthetic' });
    const file = join(runFiles(home, r.run.id).dir, r.model.file);
    const bytes = new Uint8Array(await readFile(file));
    bytes[bytes.length - 10] ^= 0xff;
    await writeFile(file, bytes);
    await expect(extractRunFeatures(home, r.run.id, { checkpoint: 'last' })).rejects.toThrow(
      /does not match its import record/,
    );
  });
});

describe('an ONNX file written by torch.onnx.export (PyTorch 1.13)', () => {
  const FIX = join(__dirname, '../../../fixtures/pytorch');
  it('imports against CIFAR-100 with the Gemm head, the four stages, and PyTorch’s logits from its features', async () => {
    const r = await importModel(home, { path: join(FIX, 'resnet18_w4.onnx'), dataset: 'cifar100' });
    expect(r.model.onnx).toMatchObject({
      head: 'Gemm',
      features: '/Flatten_output_0',
      batch: null,
      size: [32, 32],
    });
    expect(r.model.onnx?.layers).toEqual([1, 2, 3, 4].map((k) => `/layer${k}/layer${k}.1/Relu_1_output_0`));
    expect(r.model.onnx?.layerDims).toEqual([4, 8, 16, 32]);
    // W, b read from the graph equal the state_dict's linear layer (read by the other reader)
    const bytes = new Uint8Array(await readFile(join(FIX, 'resnet18_w4.onnx')));
    const head = inspectOnnx(bytes, 'x').head!;
    const sd = readTorchZip(new Uint8Array(await readFile(join(FIX, 'resnet18_w4.pth'))));
    expect(Array.from(head.W)).toEqual(Array.from(sd.get('linear.weight')!.data));
    expect(Array.from(head.b)).toEqual(Array.from(sd.get('linear.bias')!.data));
    // the features ONNX Runtime reads from the graph, through W and b, give the logits PyTorch computed
    const x = await readNpy(join(FIX, 'input.npy'));
    const want = (await readNpy(join(FIX, 'logits.npy'))).data as Float32Array;
    const { session } = await openSession(withOutputs(bytes, ['/Flatten_output_0']));
    const h = (await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, x.shape) }))[
      '/Flatten_output_0'
    ].data as Float32Array;
    await session.release();
    for (let i = 0; i < 2; i++)
      for (let c = 0; c < 100; c++) {
        let s = head.b[c];
        for (let k = 0; k < 32; k++) s += h[i * 32 + k] * head.W[c * 32 + k];
        expect(Math.abs(s - want[i * 100 + c])).toBeLessThan(1e-4);
      }
  });
});
