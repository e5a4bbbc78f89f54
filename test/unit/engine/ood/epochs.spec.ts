// OOD across training: on a run keeping three checkpoints, the series has one point per checkpoint and method, each
// equal to what a single-checkpoint evaluation of that checkpoint gives (same features, same sweep, same numbers);
// a second pass reuses the features cached per checkpoint.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OodEpochs, OodResults } from '../../../../common/contract/ood';
import { featuresDirFor } from '../../../../main/engine/features/paths';
import { readOodEpochs } from '../../../../main/engine/ood/epochs';
import { oodTask } from '../../../../main/engine/ood/task';
import { taskContext, tinyRun, useTempHome } from '../../../helpers/runs';

describe('evaluate --epochs', () => {
  const t = useTempHome('cpu', 'oodlab-epochs-');
  it('scores every kept checkpoint as a single-checkpoint evaluation would', async () => {
    const { home } = t;
    const run = await tinyRun(home, 'tiny', {
      synthetic: { classes: 3, trainPerClass: 12, testPerClass: 6 },
      epochs: 3,
      checkpointEvery: 1,
      checkpoints: { 1: 1, 2: 2, 3: 3 },
    });
    const ctx = taskContext(home, 'j');
    const methods = ['msp', 'energy', 'vim'];
    const series = (await oodTask(
      { runId: run.id, epochs: true, backend: 'cpu', methods },
      ctx,
    )) as OodEpochs;
    expect(series.points.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(series.oodSets).toEqual(['synthetic-ood']);
    expect(await readOodEpochs(home, run.id)).toEqual(series);
    for (const p of series.points) {
      expect(Object.keys(p.methods)).toEqual(methods);
      const single = (await oodTask(
        { runId: run.id, checkpoint: p.epoch, backend: 'cpu', methods },
        ctx,
      )) as OodResults;
      for (const m of single.methods) {
        expect(p.methods[m.method].params).toEqual(m.params);
        expect(p.methods[m.method].auroc['synthetic-ood']).toBe(m.datasets['synthetic-ood'].metrics.auroc);
        expect(p.methods[m.method].fpr95['synthetic-ood']).toBe(m.datasets['synthetic-ood'].metrics.fpr95);
      }
    }
    // different weights per checkpoint: the series is not one value repeated
    expect(new Set(series.points.map((p) => p.methods.msp.auroc['synthetic-ood'])).size).toBeGreaterThan(1);
    const meta = join(featuresDirFor(home, run.id, 2), 'meta.json');
    const before = (await stat(meta)).mtimeMs;
    await oodTask({ runId: run.id, epochs: true, backend: 'cpu', methods }, ctx);
    expect((await stat(meta)).mtimeMs).toBe(before);
  });
});
