// Training fidelity against PyTorch without PyTorch installed: test/fixtures/fidelity/torch-w4.json holds PyTorch's
// trajectory (float64, from the same float32 weights and inputs) of a small case trained with the quick preset's
// recipe (warm-up then cosine per step, Nesterov momentum, weight decay on every parameter, crops and flips,
// micro-batch accumulation), written by `npx tsx bench/fidelity/run.ts --fixture …` (see its header). OODLab's own
// training code must reproduce it on every backend.
// Tolerances scale with PyTorch's float32 round-off on the same case (stored in the fixture): training a small net
// amplifies round-off over steps (PyTorch float32 drifts from its own float64 run too), so a fixed bound would be
// either loose at step 1 or flaky at step 20. A wrong gradient is orders of magnitude beyond either: the Mean
// gradient that was 256 times too large moved the step-2 loss by 1e-1.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../../main/engine/backend';
import {
  caseDigest,
  decodeF32,
  makeCase,
  runOodlab,
  type CaseParams,
  type Trajectory,
} from '../../../helpers/fidelity';
import { relativeError } from '../../../helpers/ref64';

interface Fixture {
  framework: string;
  params: CaseParams;
  digest: string;
  losses: number[];
  lrs: number[];
  grads: Record<string, string>;
  final: Record<string, string>;
  float32: { lossRelError: number[]; gradRelError: Record<string, number>; finalMedianRelError: number };
}

const fixture = JSON.parse(
  readFileSync(new URL('../../../fixtures/fidelity/torch-w4.json', import.meta.url), 'utf8'),
) as Fixture;

/** Stated tolerances: at least these, or this many times PyTorch float32's own error. */
const TOL = {
  lr: 1e-12,
  firstLoss: 1e-5,
  grad: { floor: 1e-4, factor: 3 },
  loss: { floor: 1e-4, factor: 10, lookahead: 2 },
  finalMedian: { floor: 1e-3, factor: 10 },
};

// tfjs on each backend, and the ONNX Runtime engine (its own hand-written gradient graph, ort-graph.ts).
const backends = ['cpu', 'wasm', 'webgpu', 'onnxruntime'] as const;
// The cpu backend (plain JS loops) takes minutes for 20 steps: it checks the first 5, the others all 20.
const stepsOn = (name: string) => (name === 'cpu' ? 5 : fixture.params.steps);

describe('fixture', () => {
  it('was made from the case this code generates (same weights, images, crops and flips)', async () => {
    await initBackend('cpu');
    expect(caseDigest(makeCase(fixture.params))).toBe(fixture.digest);
    expect(fixture.losses.length).toBe(fixture.params.steps);
  });
});

describe.each(backends)('%s reproduces PyTorch’s trajectory', (name) => {
  let t: Trajectory | null = null;
  let why = '';

  async function trajectory(): Promise<Trajectory | null> {
    if (t || why) return t;
    const ort = name === 'onnxruntime';
    try {
      await initBackend(ort ? 'cpu' : name);
      if (ort) await import('onnxruntime-node');
    } catch (err) {
      why = (err as Error).message;
      return null;
    }
    t = await runOodlab(makeCase(fixture.params), stepsOn(name), ort ? 'onnxruntime' : 'tfjs');
    return t;
  }

  it('learning rate of every step and the loss of step 1', { timeout: 300_000 }, async (ctx) => {
    const r = await trajectory();
    if (!r) return ctx.skip(`${name} cannot initialise here: ${why}`);
    r.lrs.forEach((lr, s) =>
      expect(Math.abs(lr - fixture.lrs[s])).toBeLessThanOrEqual(TOL.lr * fixture.lrs[s]),
    );
    expect(Math.abs(r.losses[0] - fixture.losses[0]) / fixture.losses[0]).toBeLessThan(TOL.firstLoss);
  });

  it('every parameter’s gradient at step 1', async (ctx) => {
    const r = await trajectory();
    if (!r) return ctx.skip(`${name} cannot initialise here: ${why}`);
    const names = Object.keys(fixture.grads);
    expect(Object.keys(r.grads).sort()).toEqual([...names].sort());
    for (const k of names) {
      const bound = Math.max(TOL.grad.floor, TOL.grad.factor * fixture.float32.gradRelError[k]);
      expect(relativeError(r.grads[k], decodeF32(fixture.grads[k])), k).toBeLessThan(bound);
    }
  });

  it('the loss of every step and the weights after the last', async (ctx) => {
    const r = await trajectory();
    if (!r) return ctx.skip(`${name} cannot initialise here: ${why}`);
    // PyTorch float32's largest loss error up to LOOKAHEAD steps ahead: round-off grows and does not shrink, and
    // its growth is abrupt (on this case PyTorch float32 goes from 2e-6 at step 5 to 6e-4 at step 6), so where a
    // backend's rounding tips over a step earlier than PyTorch's did is not a defect.
    const f32 = fixture.float32.lossRelError;
    fixture.losses.slice(0, r.losses.length).forEach((ref, s) => {
      const envelope = Math.max(...f32.slice(0, Math.min(f32.length, s + 1 + TOL.loss.lookahead)));
      const bound = Math.max(TOL.loss.floor, TOL.loss.factor * envelope);
      expect(Math.abs(r.losses[s] - ref) / ref, `step ${s + 1}`).toBeLessThan(bound);
    });
    if (r.losses.length < fixture.params.steps) return; // weights after a prefix have no reference
    const errs = Object.keys(fixture.final)
      .map((k) => relativeError(r.final[k], decodeF32(fixture.final[k])))
      .sort((a, b) => a - b);
    const median = errs[Math.floor(errs.length / 2)];
    expect(median).toBeLessThan(
      Math.max(TOL.finalMedian.floor, TOL.finalMedian.factor * fixture.float32.finalMedianRelError),
    );
  });
});
