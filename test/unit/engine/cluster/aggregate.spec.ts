import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../../../common/contract/report';
import type { TrainingHistory } from '../../../../common/contract/train';
import { aggregate, oodGroupOf, stat } from '../../../../main/engine/cluster/aggregate';
import { buildSummary } from '../../../../main/engine/report/summary';
import { history } from '../../common/charts/fixtures';
import { makeRun, RUN } from '../../../helpers/run-fixture';
import { tempDir } from '../../../helpers/tmp';

// Mean and sample std over seeds against hand-worked values: three seeds whose summaries differ only where set here.
let base: Summary;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  await makeRun(t.dir);
  base = await buildSummary(t.dir, RUN);
});
afterAll(() => cleanup());

function seedSummary(i: number, o: { acc: number; mspSvhn: number; mspDtd: number; nc1: number }): Summary {
  const s = structuredClone(base);
  s.runId = `g-s${i}`;
  s.training.finalTestAcc = o.acc;
  for (const row of s.ood!.table)
    if (row.method === 'msp') row.auroc = row.dataset === 'svhn' ? o.mspSvhn : o.mspDtd;
  s.nc!.final.nc1 = o.nc1;
  return s;
}
const hist = (shift: number): TrainingHistory => ({
  ...history,
  epochs: history.epochs.map((e) => ({ ...e, testAcc: e.testAcc + shift })),
});

describe('aggregate over seeds', () => {
  it('sample std (n-1), and null for one seed', () => {
    expect(stat([2, 4, 9])).toEqual({ mean: 5, std: Math.sqrt(13), n: 3, values: [2, 4, 9] });
    expect(stat([0.5]).std).toBeNull();
  });

  it('groups OOD sets as OpenOOD v1.5 does', () => {
    expect(oodGroupOf('cifar10', 'cifar100')).toBe('near');
    expect(oodGroupOf('tin', 'cifar100')).toBe('near');
    expect(oodGroupOf('svhn', 'cifar100')).toBe('far');
    expect(oodGroupOf('Textures', 'cifar100')).toBe('far');
    expect(oodGroupOf('cifar100', 'cifar100')).toBeNull();
    expect(oodGroupOf('my-set', 'cifar100')).toBeNull();
  });

  it('matches hand-worked means and stds for accuracy, OOD metrics, far-OOD means, NC and curves', () => {
    const inputs = [
      { acc: 0.72, mspSvhn: 0.92, mspDtd: 0.7, nc1: 4 },
      { acc: 0.7, mspSvhn: 0.9, mspDtd: 0.75, nc1: 2 },
      { acc: 0.77, mspSvhn: 0.94, mspDtd: 0.8, nc1: 9 },
    ];
    // given out of seed order on purpose: results come back sorted by seed
    const g = aggregate('g', [
      { seed: 1, summary: seedSummary(1, inputs[0]), history: hist(0.02) },
      { seed: 0, summary: seedSummary(0, inputs[1]), history: hist(0) },
      { seed: 2, summary: seedSummary(2, inputs[2]), history: hist(0.07) },
    ]);
    expect(g.seeds).toEqual([0, 1, 2]);
    expect(g.runs).toEqual(['g-s0', 'g-s1', 'g-s2']);
    // acc 0.70, 0.72, 0.77: mean 0.73; deviations -0.03, -0.01, 0.04; std sqrt(0.0026 / 2)
    expect(g.training.finalTestAcc.values).toEqual([0.7, 0.72, 0.77]);
    expect(g.training.finalTestAcc.mean).toBeCloseTo(0.73, 12);
    expect(g.training.finalTestAcc.std).toBeCloseTo(Math.sqrt(0.0013), 12);
    const msp = (d: string) => g.ood.find((r) => r.method === 'msp' && r.dataset === d)!.metrics.auroc;
    expect(msp('svhn').mean).toBeCloseTo(0.92, 12);
    expect(msp('svhn').std).toBeCloseTo(0.02, 12);
    expect(msp('dtd').mean).toBeCloseTo(0.75, 12);
    expect(msp('dtd').std).toBeCloseTo(0.05, 12);
    // far = mean of svhn and dtd per seed: 0.825, 0.81, 0.87 -> mean 0.835, std sqrt(0.00195 / 2)
    const far = g.oodGroups.find((r) => r.method === 'msp' && r.group === 'far')!;
    expect(far.datasets).toEqual(['svhn', 'dtd']);
    expect(far.metrics.auroc.values.map((v) => +v.toFixed(12))).toEqual([0.825, 0.81, 0.87]);
    expect(far.metrics.auroc.mean).toBeCloseTo(0.835, 12);
    expect(far.metrics.auroc.std).toBeCloseTo(Math.sqrt(0.000975), 12);
    expect(g.oodGroups.some((r) => r.group === 'near')).toBe(false);
    // an untouched metric is the same for every seed: std 0
    const energy = g.ood.find((r) => r.method === 'energy' && r.dataset === 'svhn')!.metrics.auroc;
    expect(energy.std).toBeCloseTo(0, 12);
    expect(g.nc!.nc1.mean).toBe(5);
    expect(g.nc!.nc1.std).toBeCloseTo(Math.sqrt(13), 12);
    // curves: per epoch over seeds; shifts 0, 0.02, 0.07 -> mean shift 0.03
    expect(g.curves.epochs).toEqual(history.epochs.map((e) => e.epoch));
    g.curves.testAcc.forEach((s, i) => expect(s.mean).toBeCloseTo(history.epochs[i].testAcc + 0.03, 12));
  });
});
