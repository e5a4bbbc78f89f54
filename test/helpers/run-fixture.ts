// A finished run folder made by hand from the chart fixtures: config, manifest, history and (optionally) the OOD and
// NC results, exactly where the training, OOD and NC tasks write them.
import { join } from 'node:path';
import type { TrainConfig } from '../../common/contract/train';
import { presetConfig } from '../../common/train/presets';
import { writeJsonAtomic } from '../../main/engine/runs/atomic';
import { runFiles } from '../../main/engine/runs/store';
import { history, nc, ood } from '../unit/common/charts/fixtures';

export const RUN = 'fixture-run';

export async function makeRun(home: string, o: { ood?: boolean; nc?: boolean } = {}): Promise<void> {
  const f = runFiles(home, RUN);
  const config: TrainConfig = presetConfig('smoke', { epochs: 4, synthetic: { classes: 3 } });
  await writeJsonAtomic(f.config, config);
  await writeJsonAtomic(f.manifest, {
    id: RUN,
    name: 'smoke',
    state: 'done',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:01:00.000Z',
    epochs: 4,
    epochsDone: 4,
    bestEpoch: 3,
    bestTestAcc: 0.75,
    backend: { name: 'cpu', device: 'CPU', software: false, versions: { 'tfjs-core': '4.22.0' } },
  });
  await writeJsonAtomic(f.history, history);
  if (o.ood !== false) await writeJsonAtomic(join(f.dir, 'ood_results.json'), ood);
  if (o.nc !== false) await writeJsonAtomic(join(f.dir, 'nc_results.json'), nc);
}
