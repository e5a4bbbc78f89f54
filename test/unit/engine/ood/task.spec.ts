// The whole 'ood' job on a folder of imported features: sweep on a feature-space proxy, results naming their
// parameters, scores written as .npy and equal to a detector run directly.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFeatures, writeFeatureDir } from '../../../helpers/features';
import { taskContext } from '../../../helpers/runs';
import { useTempDirs } from '../../../helpers/tmp';
import { readNpy } from '../../../../main/engine/features/npy';
import { createDetector, methodNames } from '../../../../main/engine/ood/registry';
import { oodTask } from '../../../../main/engine/ood/task';
import type { OodResults } from '../../../../common/contract/ood';

describe('ood job on imported features', () => {
  const tempDir = useTempDirs('oodlab-ood-');
  it('evaluates, sweeps away from the test OOD sets, and writes scores', async () => {
    const dir = await tempDir();
    const rf = await makeFeatures({
      seed: 5,
      classes: 5,
      dim: 160,
      nTrain: 600,
      nTest: 200,
      ood: { far: 150 },
      noiseRank: 8,
    });
    await writeFeatureDir(dir, rf);
    const ctx = taskContext(dir, 'j');
    const r = (await oodTask(
      { featuresDir: dir, backend: 'cpu', scoresDir: join(dir, 'scores'), params: { T: 1 } },
      ctx,
    )) as OodResults;
    expect(r.methods.map((m) => m.method)).toEqual(methodNames);
    expect(r.methods.length).toBe(20);
    expect(r.selection.proxy).toMatch(/feature-space/);
    const vim = r.methods.find((m) => m.method === 'vim')!;
    expect(vim.paramSource).toBe('sweep');
    expect(vim.sweep!.map((p) => p.params.D)).toEqual([64, 128, 159]);
    expect(r.methods.find((m) => m.method === 'energy')!.paramSource).toBe('user');
    const det = createDetector('vim', vim.params);
    await det.fit({ ...rf.idTrain, labels: rf.idTrain.labels! }, rf.W, rf.b);
    const direct = await det.score(rf.ood.far);
    const written = (await readNpy(join(dir, 'scores', 'vim_ood_far.npy'))).data as Float64Array;
    expect(Array.from(written)).toEqual(Array.from(direct));
    expect(vim.datasets.far.metrics.auroc).toBeGreaterThan(0.9);
  });

  it('validates on an OOD set that is not a test set (OpenOOD v1.5), by default or by name, never on a test set', async () => {
    const dir = await tempDir();
    const rf = await makeFeatures({
      seed: 6,
      classes: 4,
      dim: 40,
      nTrain: 400,
      nTest: 120,
      ood: { sunset: 100, dawn: 90 },
      noiseRank: 4,
    });
    await writeFeatureDir(dir, rf);
    const ctx = taskContext(dir, 'j');
    const run = (extra: object) =>
      oodTask(
        { featuresDir: dir, backend: 'cpu', methods: ['knn', 'react'], ...extra },
        ctx,
      ) as Promise<OodResults>;
    const auto = await run({ datasets: ['sunset'] });
    expect(Object.keys(auto.oodSets)).toEqual(['sunset']);
    expect(auto.selection.validationOod).toBe('dawn');
    expect(auto.selection.proxy).toMatch(/90 samples of the OOD set dawn \(not a test set\)/);
    const named = await run({ validationOod: 'sunset' });
    expect(Object.keys(named.oodSets)).toEqual(['dawn']); // the validation set leaves the test sets
    expect(named.selection.validationOod).toBe('sunset');
    const proxy = await run({ datasets: ['sunset'], validationOod: 'proxy' });
    expect(proxy.selection.validationOod).toBe('proxy');
    expect(proxy.selection.proxy).toMatch(/feature-space/);
    // Every set tested: nothing left to validate on but the proxy.
    expect((await run({})).selection.validationOod).toBe('proxy');
    await expect(run({ datasets: ['sunset', 'dawn'], validationOod: 'dawn' })).rejects.toThrow(
      /is a test OOD set/,
    );
    await expect(run({ validationOod: 'mnist' })).rejects.toThrow(/No features for the validation OOD set/);
  });
});
