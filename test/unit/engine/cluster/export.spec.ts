import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupCurvesOption, groupFigures, groupOodOption } from '../../../../common/charts/group';
import { SlurmOptions, type Group, type GroupSummary } from '../../../../common/contract/cluster';
import { presetConfig } from '../../../../common/train/presets';
import { exportGroup } from '../../../../main/engine/cluster/export';
import { writeGroup } from '../../../../main/engine/cluster/group';
import { runDir, updateManifest } from '../../../../main/engine/runs/store';
import { writeJsonAtomic } from '../../../../main/engine/runs/atomic';
import { ood } from '../../common/charts/fixtures';
import { makeRun, RUN } from '../../../helpers/run-fixture';
import { tempDir } from '../../../helpers/tmp';

// Export of a group made of two fixture runs whose MSP AUROC on SVHN differs (0.9 and 0.8): the figures carry the
// mean and ± 1 std computed by hand, and every file lands where a run's export puts its own.
let home: string;
let cleanup: () => Promise<void>;
const ID = 'g1';
beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir());
  await makeRun(home);
  const config = presetConfig('smoke');
  const group: Group = {
    version: 1,
    id: ID,
    name: 'smoke',
    createdAt: '2026-11-29T00:00:00.000Z',
    preset: 'smoke',
    config,
    tasks: [0, 1].map((seed, index) => ({ index, seed, runId: `${ID}-s${seed}` })),
    slurm: SlurmOptions.parse({}),
    home,
    command: 'oodlab',
    jobId: '7',
    submittedAt: '2026-11-29T00:00:01.000Z',
  };
  await writeGroup(group, config);
  for (const [i, t] of group.tasks.entries()) {
    await cp(runDir(home, RUN), runDir(home, t.runId), { recursive: true });
    await updateManifest(home, t.runId, { id: t.runId });
    const results = structuredClone(ood);
    results.methods[0].datasets.svhn.metrics.auroc = i === 0 ? 0.9 : 0.8;
    await writeJsonAtomic(join(runDir(home, t.runId), 'ood_results.json'), results);
  }
});
afterAll(() => cleanup());

describe('group export and figures', () => {
  let summary: GroupSummary;

  it('writes figures, summary.json and README.txt', async () => {
    const dir = join(home, 'out');
    const r = await exportGroup(home, ID, dir, { formats: ['svg', 'png'] });
    expect(r.figures).toEqual(['group-training-curves', 'group-auroc']);
    expect(r.files.sort()).toEqual(
      [
        'README.txt',
        'figures/group-auroc.png',
        'figures/group-auroc.svg',
        'figures/group-training-curves.png',
        'figures/group-training-curves.svg',
        'summary.json',
      ].sort(),
    );
    const png = await sharp(await readFile(join(dir, 'figures/group-auroc.png'))).metadata();
    expect([png.width, png.height]).toEqual([2400, 1040]);
    summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as GroupSummary;
    const readme = await readFile(join(dir, 'README.txt'), 'utf8');
    expect(readme).toContain('seed 1: runs/g1-s1');
  });

  it('bars are the means and error bars span mean ± std (hand-worked: 0.9 and 0.8 -> 85 ± 7.0711 %)', () => {
    const opt = groupOodOption(summary);
    const [bars, errs] = opt.series as { data: unknown[] }[];
    const i = summary.ood.findIndex((r) => r.method === 'msp' && r.dataset === 'svhn');
    expect((bars.data[i] as { value: number }).value).toBeCloseTo(85, 4);
    const sd = (Math.SQRT2 * 0.1 * 100) / 2; // |a - b| / sqrt(2), in percent
    expect(errs.data[i]).toEqual([i, expect.closeTo(85 - sd, 4), expect.closeTo(85 + sd, 4)]);
    // an AUROC both seeds share has a zero-length bar
    const j = summary.ood.findIndex((r) => r.method === 'energy' && r.dataset === 'svhn');
    const [, lo, hi] = errs.data[j] as number[];
    expect(lo).toBeCloseTo(hi, 6);
  });

  it('training curves: mean line and a band of width 2 std stacked on the lower edge', () => {
    const opt = groupCurvesOption(summary);
    const [lower, width, mean] = opt.series as { data: [number, number][] }[];
    summary.curves.testAcc.forEach((s, k) => {
      expect(mean.data[k][1]).toBeCloseTo(s.mean * 100, 3);
      expect(lower.data[k][1]).toBeCloseTo((s.mean - (s.std ?? 0)) * 100, 3);
      expect(width.data[k][1]).toBeCloseTo(2 * (s.std ?? 0) * 100, 3);
    });
    expect(groupFigures({ ...summary, ood: [] }).map((f) => f.id)).toEqual(['group-training-curves']);
  });
});
