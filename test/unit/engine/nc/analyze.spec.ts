import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NcResults } from '../../../../common/contract/nc';
import { analyze } from '../../../../main/cli/commands/analyze';
import { writeNpy } from '../../../../main/engine/features/npy';
import { analyzeFeatureDir } from '../../../../main/engine/nc/analyze';
import {
  ncFiles,
  readEpochCache,
  readNcResults,
  writeEpochCache,
  writeNcResults,
} from '../../../../main/engine/nc/results';
import { randomProblem, writeProblem } from '../../../helpers/nc/fixtures';
import { reference } from '../../../helpers/nc/reference';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const prob = randomProblem(31, 4, 8, [20, 25, 30, 15]);
// a weaker "earlier layer": same labels, 5-d features with less separation
const early = randomProblem(31, 4, 5, [20, 25, 30, 15], 0.8);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oodlab-nc-'));
  await writeProblem(dir, prob);
  const f32 = (rows: number[][]) => Float32Array.from(rows.flat());
  await writeNpy(join(dir, 'ood_svhn_features.npy'), f32(prob.ood ?? []), [17, 8]);
  await writeNpy(join(dir, 'layer1_id_train_features.npy'), f32(early.X), [early.X.length, 5]);
  await writeNpy(join(dir, 'layer1_id_test_features.npy'), f32(early.Xt), [early.Xt.length, 5]);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('analyzeFeatureDir', () => {
  it('computes the final metrics, the layer rows and the geometry of a .npy folder', async () => {
    const r = NcResults.parse(await analyzeFeatureDir(dir));
    const ref = reference(prob);
    expect(rel(r.final.nc1, ref.nc1)).toBeLessThan(1e-6);
    expect(rel(r.final.idOodOrthogonality.svhn.meanAbsCos, ref.orthoSamples)).toBeLessThan(1e-6);
    expect(r.layers.map((l) => l.name)).toEqual(['layer1', 'penultimate']);
    const refEarly = reference(early);
    expect(rel(r.layers[0].nc1, refEarly.nc1)).toBeLessThan(1e-6);
    expect(r.layers[0].dim).toBe(5);
    expect(r.layers[0].nccTestAccuracy).toBe(refEarly.nccTestAccuracy);
    expect(r.layers[1].nc1).toBe(r.final.nc1);
    expect(r.geometry.cosMeans).toHaveLength(4);
    expect(r.perEpoch).toEqual([]);
  });

  it('`oodlab analyze --features DIR --json` prints the same results as JSON', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => undefined, tty: false };
    expect(await analyze.run(['--features', dir, '--json'], io)).toBe(0);
    const r = NcResults.parse(JSON.parse(out.join('\n')));
    expect(rel(r.final.nc1, reference(prob).nc1)).toBeLessThan(1e-6);
    const text: string[] = [];
    expect(await analyze.run(['--features', dir], { ...io, out: (l: string) => text.push(l) })).toBe(0);
    expect(text.join('\n')).toMatch(/NC1 {2}Tr\(Sw Sb\^\+\)\/C/);
    expect(text.join('\n')).toContain('layer1');
  });
});

describe('results files', () => {
  it('round-trips nc_results.json and per-epoch caches; a missing or broken file is handled', async () => {
    const home = await mkdtemp(join(tmpdir(), 'oodlab-nc-home-'));
    try {
      await expect(readNcResults(home, 'r1')).rejects.toThrow(/no Neural Collapse results yet/);
      const r = await analyzeFeatureDir(dir, { layers: false });
      await writeNcResults(home, 'r1', { ...r, runId: 'r1' });
      expect((await readNcResults(home, 'r1')).final).toEqual(r.final);
      expect(await readEpochCache(home, 'r1', 3)).toBeNull();
      const e = { epoch: 3, metrics: r.final };
      await writeEpochCache(home, 'r1', e);
      expect(await readEpochCache(home, 'r1', 3)).toEqual(e);
      await mkdir(join(home, 'runs', 'r1', 'nc'), { recursive: true });
      await writeFile(ncFiles(home, 'r1').epoch(4), '{ not json');
      expect(await readEpochCache(home, 'r1', 4)).toBeNull();
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
