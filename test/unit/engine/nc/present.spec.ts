// Neural Collapse with classes that have no training sample (a 10-class set in a 100-class format): the metrics must
// be those of the same data with the empty classes removed and W, b restricted to the present rows, checked against
// the naive float64 reference and a hand-worked simplex-ETF case; the network's own accuracy stays over all logits.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NcResults } from '../../../../common/contract/nc';
import { analyze } from '../../../../main/cli/commands/analyze';
import { cosineHeatmapOption } from '../../../../common/charts/cosine-heatmap';
import { analyzeModel } from '../../../../main/engine/nc/analyze';
import { computeNcMetrics } from '../../../../main/engine/nc/metrics';
import { emptyClasses, restrictToPresent } from '../../../../main/engine/nc/present';
import { etfRows, gaussian, randomProblem, toInput, writeProblem } from '../../../helpers/nc/fixtures';
import type { RefInput } from '../../../helpers/nc/reference';
import { expectMatchesReference, reference } from '../../../helpers/nc/reference';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

/**
 * The problem `p` (C' classes) declared with C classes: present class j is original class present[j]; the empty
 * classes get random W rows and biases (they must not influence any NC metric).
 */
function embed(p: RefInput, C: number, present: number[], seed = 9): RefInput {
  const g = gaussian(seed);
  const D = p.W[0].length;
  const W = Array.from({ length: C }, () => Array.from({ length: D }, () => Math.fround(3 * g())));
  const b = Array.from({ length: C }, () => Math.fround(-5 + 0.1 * g()));
  present.forEach((c, j) => {
    W[c] = p.W[j];
    b[c] = p.b[j];
  });
  return { ...p, W, b, y: p.y.map((j) => present[j]), yt: p.yt.map((j) => present[j]) };
}

describe('Neural Collapse with empty classes', () => {
  const reduced = randomProblem(41, 4, 9, [12, 30, 7, 21], 2);
  const present = [1, 2, 4, 5];
  const full = embed(reduced, 7, present);

  it('finds the empty classes and renumbers the present ones', () => {
    const f = toInput(full);
    expect(emptyClasses(f.idTrain.labels, 7)).toEqual([0, 3, 6]);
    const r = restrictToPresent(f);
    expect(r.present).toEqual(present);
    expect(r.input.C).toBe(4);
    expect(Array.from(r.input.idTrain.labels ?? [])).toEqual(reduced.y);
    expect(Array.from(r.input.W)).toEqual(reduced.W.flat());
  });

  it('equals the float64 reference of the data with the empty classes removed', () => {
    const m = computeNcMetrics(toInput(full));
    const r = reference(reduced);
    expect(m.classes).toBe(4);
    expect(m.emptyClasses).toEqual([0, 3, 6]);
    expect(m.rankSb).toBe(3);
    expectMatchesReference(m, r);
    // and exactly what the engine gives on the reduced problem, but for the whole network's accuracies
    const { emptyClasses: e, trainAccuracy, testAccuracy, ...rest } = m;
    expect(e).toBeDefined();
    const {
      trainAccuracy: reducedTrainAcc,
      testAccuracy: _t,
      ...restReduced
    } = computeNcMetrics(toInput(reduced));
    expect(rest).toEqual(restReduced);
    // the network's accuracy: argmax over all 7 logits, the empty classes' rows included
    const net = (x: number[]) => {
      const z = full.W.map((w, c) => w.reduce((s, v, k) => s + v * x[k], 0) + full.b[c]);
      return z.indexOf(Math.max(...z));
    };
    const acc = (X: number[][], y: number[]) => X.filter((x, i) => net(x) === y[i]).length / X.length;
    expect(trainAccuracy).toBe(acc(full.X, full.y));
    expect(testAccuracy).toBe(acc(full.Xt, full.yt));
    expect(trainAccuracy).toBeLessThan(reducedTrainAcc); // the empty rows do win some samples here
  });

  it('keeps the whole network for its accuracy: an empty class that wins the argmax is a miss', () => {
    const p = embed(reduced, 7, present);
    p.b[3] = 1e6; // the network now predicts empty class 3 for every sample
    const m = computeNcMetrics(toInput(p));
    expect(m.trainAccuracy).toBe(0);
    expect(m.testAccuracy).toBe(0);
    // NC4/NC5 compare with the argmax over the present classes: unchanged
    const r = reference(reduced);
    expect(m.nc4).toBe(r.nc4);
    expect(m.nc5).toBe(r.nc5);
  });

  it('a hand-worked ETF of 4 present classes among 6: NC1 = eps^2/a^2, equiangular against -1/3, NC3 = 0', () => {
    const C = 4;
    const D = 6;
    const a = 2;
    const eps = 0.5;
    const rows = etfRows(C, D, a);
    const u = [eps / Math.SQRT2, -eps / Math.SQRT2, 0, 0, 0, 0];
    const X = rows.flatMap((m) => [m.map((v, k) => v + u[k]), m.map((v, k) => v - u[k])]);
    const y = rows.flatMap((_, c) => [c, c]);
    const red: RefInput = { X, y, Xt: rows, yt: [0, 1, 2, 3], W: rows, b: [0, 0, 0, 0] };
    const m = computeNcMetrics(toInput(embed(red, 6, [0, 2, 3, 5])));
    expect(m.classes).toBe(4);
    expect(m.emptyClasses).toEqual([1, 4]);
    expect(rel(m.nc1, (eps * eps) / (a * a))).toBeLessThan(1e-6);
    expect(rel(m.trSw, eps * eps)).toBeLessThan(1e-6);
    // cos of two ETF vertices is -1/(C'-1) = -1/3; against -1/5 (all six classes) the deviation would be 2/15
    expect(m.nc2.equiangularMeansMax).toBeLessThan(1e-6);
    expect(m.nc2.equiangularClassifierMax).toBeLessThan(1e-6);
    expect(m.nc2.equinormClassifier).toBeLessThan(1e-6);
    expect(m.nc3).toBeLessThan(1e-10);
    expect(m.nc4).toBe(0);
    expect(m.nc5).toBe(1);
    expect(m.nccTestAccuracy).toBe(1);
  });

  it('the full analysis warns naming the empty classes; geometry and layers are over the present ones', () => {
    const early = embed(randomProblem(41, 4, 5, [12, 30, 7, 21], 0.8), 7, present);
    const f = {
      ...toInput(full),
      layers: {
        layer1: {
          idTrain: Float32Array.from(early.X.flat()),
          idTest: Float32Array.from(early.Xt.flat()),
          dim: 5,
        },
      },
    };
    const warnings: string[] = [];
    const a = analyzeModel(f, { layers: true, onWarn: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/3 of 7 classes have no training samples \(0, 3, 6\)/);
    expect(warnings[0]).toMatch(/4 present classes/);
    expect(a.geometry.classes).toBe(4);
    expect(a.geometry.classIds).toEqual(present);
    expect(a.geometry.cosMeans).toHaveLength(4);
    // the cosine figure labels the rows with the original class numbers
    const xAxes = cosineHeatmapOption(a.geometry).xAxis as { data: string[] }[];
    expect(xAxes[0].data).toEqual(['1', '2', '4', '5']);
    const ref = analyzeModel(
      {
        ...toInput(reduced),
        layers: {
          layer1: { idTrain: f.layers.layer1.idTrain, idTest: f.layers.layer1.idTest, dim: 5 },
        },
      },
      { layers: true },
    );
    expect(a.layers).toEqual(ref.layers);
    expect({ ...a.geometry, classIds: undefined }).toEqual({ ...ref.geometry, classIds: undefined });
  });

  it('refuses a training set with fewer than two present classes', () => {
    const p = randomProblem(5, 3, 4, [5, 5, 5]);
    p.y = p.y.map(() => 2);
    expect(() => computeNcMetrics(toInput(p))).toThrow(/Only 1 of 3 classes has training samples \(2\)/);
  });

  it('`oodlab analyze --features DIR` warns on stderr and names the empty classes in its output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oodlab-nc-empty-'));
    try {
      await writeProblem(dir, full);
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), tty: false };
      expect(await analyze.run(['--features', dir], io)).toBe(0);
      expect(err.join('\n')).toMatch(/warning: 3 of 7 classes have no training samples \(0, 3, 6\)/);
      expect(out.join('\n')).toMatch(/4 classes,[\s\S]*3 classes without training samples left out: 0, 3, 6/);
      out.length = 0;
      expect(await analyze.run(['--features', dir, '--json'], io)).toBe(0);
      const r = NcResults.parse(JSON.parse(out.join('\n')));
      expect(r.final.emptyClasses).toEqual([0, 3, 6]);
      expect(rel(r.final.nc1, reference(reduced).nc1)).toBeLessThan(1e-6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
