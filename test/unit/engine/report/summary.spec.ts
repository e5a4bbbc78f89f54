import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Summary } from '../../../../common/contract/report';
import { benchmarkGroups } from '../../../../common/ood/groups';
import { writeJsonAtomic } from '../../../../main/engine/runs/atomic';
import { buildSummary, readSummary, summaryPath, writeSummary } from '../../../../main/engine/report/summary';
import { tempDir } from '../../../helpers/tmp';
import { history, nc, ood } from '../../common/charts/fixtures';
import { makeRun, RUN } from '../../../helpers/run-fixture';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir: home, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('summary.json', () => {
  it('gathers the run’s config, training result, OOD table and NC metrics', async () => {
    await makeRun(home);
    const s = await buildSummary(home, RUN, { appVersion: '9.9.9' });
    expect(s.environment.app).toBe('9.9.9');
    expect(s.environment.backend?.name).toBe('cpu');
    expect(s.config.epochs).toBe(4);
    expect(s.training).toMatchObject({
      bestEpoch: 3,
      bestTestAcc: 0.75,
      finalTestAcc: 0.75,
      finalTrainAcc: 0.93,
    });
    expect(s.training.seconds).toBe(8); // 4 epochs x 2 s
    // one row per method x set, metrics copied unchanged
    expect(s.ood?.table).toHaveLength(4);
    const row = s.ood?.table.find((r) => r.method === 'energy' && r.dataset === 'dtd');
    expect(row).toMatchObject({ auroc: 0.7, fpr95: 0.6, nOod: 6, params: { T: 1 } });
    expect(s.nc?.final.nc1).toBe(nc.final.nc1);
    expect(s.nc?.layers.map((l) => l.nc1)).toEqual([8, 3, 1, 0.1]);
    expect(s.timings).toEqual({ trainingSeconds: 8, oodSeconds: 0.02, ncSeconds: 1.5 });
    expect(ood.methods).toHaveLength(2);
    expect(history.epochs).toHaveLength(4);
  });

  it('carries the OpenOOD group means and the across-training series', async () => {
    await makeRun(home);
    const dir = join(home, 'runs', RUN);
    await writeJsonAtomic(join(dir, 'ood_results.json'), { ...ood, groups: benchmarkGroups('cifar100') });
    const points = [5, 10].map((epoch) => ({
      epoch,
      checkpoint: `epoch-${String(epoch).padStart(3, '0')}`,
      methods: { msp: { params: {}, auroc: { svhn: epoch / 20 }, fpr95: { svhn: 1 - epoch / 20 } } },
    }));
    await writeJsonAtomic(join(dir, 'ood_epochs.json'), {
      version: 1,
      runId: RUN,
      createdAt: '2026-01-01T00:00:00Z',
      methods: [{ method: 'msp', label: 'MSP' }],
      oodSets: ['svhn'],
      points,
    });
    const s = await buildSummary(home, RUN);
    expect(s.ood?.groups?.far).toEqual(['mnist', 'svhn', 'dtd', 'places365']);
    for (const m of ood.methods) {
      const far = s.ood!.groupMeans!.find((g) => g.method === m.method && g.group === 'far')!;
      expect(far.sets).toEqual(['svhn', 'dtd']);
      const want = (m.datasets.svhn.metrics.auroc + m.datasets.dtd.metrics.auroc) / 2;
      expect(far.auroc).toBeCloseTo(want, 12);
    }
    expect(s.ood!.groupMeans!.some((g) => g.group === 'near')).toBe(false); // no near set was scored
    expect(s.oodEpochs).toEqual([
      { epoch: 5, method: 'msp', dataset: 'svhn', auroc: 0.25, fpr95: 0.75 },
      { epoch: 10, method: 'msp', dataset: 'svhn', auroc: 0.5, fpr95: 0.5 },
    ]);
    expect(Summary.parse(s)).toEqual(s);
  });

  it("carries the validation OOD set and OpenOOD's trapezoid AUPR (issue 16)", async () => {
    await makeRun(home);
    const withProtocol = {
      ...ood,
      selection: { ...ood.selection, validationOod: 'tin' },
      methods: ood.methods.map((m) => ({
        ...m,
        datasets: Object.fromEntries(
          Object.entries(m.datasets).map(([k, d]) => [
            k,
            { ...d, metrics: { ...d.metrics, auprInTrapz: 0.61, auprOutTrapz: 0.52 } },
          ]),
        ),
      })),
    };
    await writeFile(join(home, 'runs', RUN, 'ood_results.json'), JSON.stringify(withProtocol));
    const s = await buildSummary(home, RUN);
    expect(s.ood?.selection.validationOod).toBe('tin');
    expect(s.ood?.table.every((r) => r.auprInTrapz === 0.61 && r.auprOutTrapz === 0.52)).toBe(true);
  });

  it('has null sections for results not computed yet', async () => {
    await makeRun(home, { ood: false, nc: false });
    const s = await buildSummary(home, RUN);
    expect(s.ood).toBeNull();
    expect(s.nc).toBeNull();
    expect(s.timings.oodSeconds).toBeNull();
  });

  it('round-trips through write and read, and refuses an invalid file', async () => {
    await makeRun(home);
    const s = await buildSummary(home, RUN);
    const path = await writeSummary(summaryPath(home, RUN), s);
    expect(await readSummary(path)).toEqual(s);
    await writeFile(path, JSON.stringify({ ...s, training: { ...s.training, bestEpoch: 'three' } }));
    await expect(readSummary(path)).rejects.toThrow(/not a valid summary/);
    await expect(readSummary(join(home, 'nope.json'))).rejects.toThrow(/does not exist/);
    await expect(writeSummary(path, { ...s, version: 2 } as unknown as Summary)).rejects.toThrow();
  });

  it('refuses a results file that does not match its schema', async () => {
    await makeRun(home);
    await writeFile(join(home, 'runs', RUN, 'nc_results.json'), JSON.stringify({ version: 1 }));
    await expect(buildSummary(home, RUN)).rejects.toThrow(/nc_results.json is not valid/);
  });

  it('documents every top-level field', () => {
    for (const [k, v] of Object.entries(Summary.shape)) expect(v.description, k).toBeTruthy();
  });
});
