// The ONNX Runtime training engine around its graph (whose gradients fidelity.spec.ts checks against PyTorch's): the
// layout conversion, that stopping (sync into the model and optimiser) and starting again (a new engine from them)
// continues the very same trajectory, that it agrees with the tfjs engine (another implementation of the same step)
// including momentum and running statistics, in plain NCHW and in ONNX Runtime's NCHWc blocks, and how the engine
// and the block size are chosen.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../main/engine/backend';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { createEngine, requestedEngine, TfjsEngine } from '../../../../main/engine/train/engine';
import {
  fromGraphLayout,
  nchwcBlockSize,
  OrtEngine,
  toGraphLayout,
} from '../../../../main/engine/train/ort-engine';
import { Sgd } from '../../../../main/engine/train/sgd';
import { relativeError } from '../../../helpers/ref64';

const ortLoads = await import('onnxruntime-node').then(
  () => true,
  () => false,
);

function hostBatch(n: number, seed: number, classes: number) {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return {
    x: Float32Array.from({ length: n * 32 * 32 * 3 }, rand),
    y: Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % classes),
  };
}

const sgd = () => new Sgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });

/** A fresh model, optimiser and ONNX Runtime engine, and one call that frees all three. */
async function ortSetup(cfg: { width: number; numClasses: number; seed: number }, graph = {}) {
  const model = new ResNet18(cfg);
  const opt = sgd();
  const engine = await OrtEngine.create(model, opt, graph);
  const dispose = () => {
    engine.dispose();
    model.dispose();
    opt.dispose();
  };
  return { model, opt, engine, dispose };
}

async function state(model: ResNet18, opt: Sgd): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const t of model.namedTensors()) out.set(t.name, (await t.variable.data()) as Float32Array);
  for (const [name, b] of opt.state()) out.set(`momentum:${name}`, (await b.data()) as Float32Array);
  return out;
}

describe('graph layout', () => {
  it('moves HWIO to OIHW and back (hand-worked index)', () => {
    const shape = [3, 3, 2, 4]; // kh, kw, in, out
    const v = Float32Array.from({ length: 72 }, (_, i) => i);
    const g = toGraphLayout(shape, v);
    // OIHW [o=3, i=1, h=2, w=0] <- HWIO [h=2, w=0, i=1, o=3] = ((2 * 3 + 0) * 2 + 1) * 4 + 3 = 55
    expect(g[((3 * 2 + 1) * 3 + 2) * 3 + 0]).toBe(55);
    expect(Array.from(fromGraphLayout(shape, g))).toEqual(Array.from(v));
    expect(Array.from(toGraphLayout([5], Float32Array.of(1, 2, 3, 4, 5)))).toEqual([1, 2, 3, 4, 5]);
  });
});

describe.skipIf(!ortLoads)('ONNX Runtime engine', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  afterEach(() => {
    delete process.env.OODLAB_TRAIN_ENGINE;
  });

  it('continues the same trajectory after sync() into the model and a new engine from it', async () => {
    const cfg = { width: 2, numClasses: 10, seed: 3 };
    const batches = [1, 2, 3, 4].map((s) => hostBatch(8, s, 10));
    const step = { labelSmoothing: 0.1, microBatch: 4 };

    const a = new ResNet18(cfg);
    const optA = sgd();
    const ea = await OrtEngine.create(a, optA);
    for (const b of batches) await ea.step(b, step);
    ea.sync();

    const b = new ResNet18(cfg);
    const optB = sgd();
    const first = await OrtEngine.create(b, optB);
    for (const x of batches.slice(0, 2)) await first.step(x, step);
    first.sync();
    first.dispose();
    const second = await OrtEngine.create(b, optB);
    for (const x of batches.slice(2)) await second.step(x, step);
    second.sync();

    const [sa, sb] = [await state(a, optA), await state(b, optB)];
    expect([...sb.keys()].sort()).toEqual([...sa.keys()].sort());
    expect(sa.has('momentum:conv1.weight')).toBe(true);
    for (const [k, v] of sa) expect(Array.from(sb.get(k)!), k).toEqual(Array.from(v));
    expect(optB.steps).toBe(4);
    const initial = new ResNet18(cfg);
    const start = (await initial.namedTensors()[0].variable.data()) as Float32Array;
    expect(relativeError(sa.get('conv1.weight')!, start)).toBeGreaterThan(1e-3); // it did train
    for (const m of [a, b, initial]) m.dispose();
    ea.dispose();
    second.dispose();
    optA.dispose();
    optB.dispose();
  });

  // Width 16 runs every stage in NCHWc blocks where ONNX Runtime has them (16 channels and up with AVX-512, 8 with
  // AVX2); width 4 keeps its first stages plain and crosses into blocks later. At width 16, 4 images give 5 10^5
  // pre-activations, and a few of them fall within float32 round-off (~2e-6) of ReLU's kink, where the two engines'
  // summation orders can send them to opposite sides and move that position's gradient wholly: so there every batch
  // norm's shift starts at 3 (the network and its gradients are the same formulas; the pre-activations sit around 3,
  // away from the kink). Width 4 keeps the initial shift of 0.
  it.each([
    { width: 4, shift: 0, steps: 3, batch: 8, micro: 4 },
    { width: 16, shift: 3, steps: 2, batch: 4, micro: undefined },
  ])(
    'agrees with the tfjs engine: weights, momentum and running statistics after $steps steps (width $width)',
    async ({ width, shift, steps, batch, micro }) => {
      const cfg = { width, numClasses: 10, seed: 5 };
      const run = async (ort: boolean) => {
        const model = new ResNet18(cfg);
        for (const t of model.namedTensors())
          if (t.spec.role === 'beta') t.variable.assign(tf.add(t.variable, shift));
        const opt = sgd();
        const engine = ort ? await OrtEngine.create(model, opt) : new TfjsEngine(model, opt);
        if (ort && width === 16 && process.arch === 'x64')
          expect(engine.description).toMatch(/NCHWc blocks of (8|16)/);
        const losses: number[] = [];
        for (let s = 1; s <= steps; s++)
          losses.push(
            (await engine.step(hostBatch(batch, s, 10), { labelSmoothing: 0.1, microBatch: micro })).loss,
          );
        engine.sync();
        engine.dispose();
        const out = await state(model, opt);
        model.dispose();
        opt.dispose();
        return { losses, out };
      };
      const t = await run(false);
      const o = await run(true);
      o.losses.forEach((l, i) => expect(Math.abs(l - t.losses[i]) / t.losses[i]).toBeLessThan(1e-5));
      for (const [k, v] of t.out) expect(relativeError(o.out.get(k)!, v), k).toBeLessThan(2e-4);
      // the running statistics moved away from their initial (0, 1)
      expect(Math.abs(o.out.get('bn1.running_mean')![0])).toBeGreaterThan(1e-4);
    },
    120_000, // tfjs' cpu backend takes ~10 s a step at width 16
  );

  // Width 4 is plain NCHW in its first two stages; at width 8 stage 2's 16 channels are in NCHWc blocks where ONNX
  // Runtime has blocks of 16 or 8, and there the chunks multiply the im2col with the blocked dz directly.
  it.each([4, 8])(
    'cuts the early filter gradients into chunks of samples without changing them (width %i)',
    async (width) => {
      const cfg = { width, numClasses: 10, seed: 7 };
      const grads = async (chunk?: number) => {
        const { engine, dispose } = await ortSetup(cfg, { im2colChunk: chunk });
        let g = new Map<string, Float32Array>();
        await engine.step(hostBatch(12, 9, 10), { labelSmoothing: 0.1, onGrads: (m) => (g = new Map(m)) });
        dispose();
        return g;
      };
      const whole = await grads();
      // Width 4: 4 channels x 9 taps x 1,024 positions = 36,864 floats a sample at stage 1: chunks of 1, 1, ... samples
      // there, of 5 + 5 + 2 at stage 2 (9,216 a sample). Width 8: 1 sample a chunk at stages 1 and 2.
      const pieces = await grads(50_000);
      for (const [k, v] of whole) expect(relativeError(pieces.get(k)!, v), k).toBeLessThan(1e-5);
    },
  );

  it('reads ONNX Runtime’s NCHWc block size from a probe; OODLAB_TRAIN_NCHWC=0 turns blocks off, other values are refused', async () => {
    const ort = await import('onnxruntime-node');
    const block = await nchwcBlockSize(ort);
    // MLAS: 16 with AVX-512, 8 with AVX2 on x86-64 (elsewhere 0 is allowed: the plain graph).
    if (process.arch === 'x64') expect([8, 16]).toContain(block);
    else expect([0, 4, 8, 16]).toContain(block);
    process.env.OODLAB_TRAIN_NCHWC = '0';
    try {
      expect(await nchwcBlockSize(ort)).toBe(0);
      const { engine, dispose } = await ortSetup({ width: 2, numClasses: 10, seed: 1 });
      expect(engine.description).not.toMatch(/NCHWc/);
      dispose();
      // A wrong value is refused before any engine is chosen (not taken for ONNX Runtime failing to load).
      process.env.OODLAB_TRAIN_NCHWC = 'off';
      const model = new ResNet18({ width: 2, numClasses: 10, seed: 1 });
      const opt = sgd();
      await expect(createEngine(model, opt)).rejects.toThrow(/OODLAB_TRAIN_NCHWC must be 0 or 1, not "off"/);
      model.dispose();
      opt.dispose();
    } finally {
      delete process.env.OODLAB_TRAIN_NCHWC;
    }
  });

  it('evaluates the current weights as the tfjs model does (and again after a step)', async () => {
    const { model, engine, dispose } = await ortSetup({ width: 4, numClasses: 10, seed: 11 });
    const tfjs = new TfjsEngine(model);
    const batch = hostBatch(16, 4, 10);
    const check = async () => {
      engine.sync();
      const [o, t] = [await engine.evaluate(batch), await tfjs.evaluate(batch)];
      expect(Math.abs(o.lossSum - t.lossSum) / t.lossSum).toBeLessThan(1e-5);
      expect(o.correct).toBe(t.correct);
      return o.lossSum;
    };
    await engine.step(hostBatch(16, 1, 10), { labelSmoothing: 0 });
    const first = await check();
    await engine.step(hostBatch(16, 2, 10), { labelSmoothing: 0 });
    const second = await check();
    expect(second).not.toBe(first); // the inference graph was rebuilt from the new weights
    dispose();
  });

  it('refuses a label outside the classes instead of writing another row of the targets', async () => {
    const { engine, dispose } = await ortSetup({ width: 2, numClasses: 10, seed: 1 });
    const b = hostBatch(4, 1, 10);
    b.y[2] = 10;
    await expect(engine.step(b, { labelSmoothing: 0 })).rejects.toThrow(/label 10 .* outside 0\.\.9/);
    dispose();
  });

  it('is chosen on the CPU backends unless OODLAB_TRAIN_ENGINE says tfjs; other values are refused', async () => {
    const model = new ResNet18({ width: 2, numClasses: 10, seed: 1 });
    const opt = sgd();
    const auto = await createEngine(model, opt);
    expect(auto.name).toBe('onnxruntime');
    expect(auto.description).toMatch(/ONNX Runtime .* threads/);
    auto.dispose();
    process.env.OODLAB_TRAIN_ENGINE = 'tfjs';
    expect((await createEngine(model, opt)).name).toBe('tfjs');
    process.env.OODLAB_TRAIN_ENGINE = 'cuda';
    expect(() => requestedEngine()).toThrow(/tfjs or onnxruntime/);
    model.dispose();
    opt.dispose();
    expect(tf.getBackend()).toBe('cpu');
  });
});
