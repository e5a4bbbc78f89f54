import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../../common/train/presets';
import { buildSummary } from '../../../main/engine/report/summary';
import { configKey } from '../../../main/cli/pipeline-steps';
import { pipelineTable } from '../../../main/cli/pipeline-table';
import { tempDir } from '../../helpers/tmp';
import { makeRun, RUN } from '../../helpers/run-fixture';

describe('pipeline: reuse key', () => {
  it('is the same experiment whatever the backend or key order, and differs on any other field', () => {
    const a = presetConfig('smoke');
    const reordered = Object.fromEntries(Object.entries({ ...a, backend: 'wasm' }).reverse());
    expect(configKey(reordered)).toBe(configKey(a));
    expect(configKey({ ...a, epochs: a.epochs + 1 })).not.toBe(configKey(a));
    expect(configKey({ ...a, synthetic: { ...a.synthetic!, classes: 5 } })).not.toBe(configKey(a));
  });
  it('fills defaults first: a config written with and without them is the same experiment', () => {
    const full = presetConfig('smoke');
    const { momentum: _m, weightDecay: _w, ...sparse } = full;
    expect(configKey(sparse)).toBe(configKey(full));
  });
});

describe('pipeline: final table', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir: home, cleanup } = await tempDir()));
  afterAll(() => cleanup());

  it('shows the training result, every method x set as AUROC / FPR@95 and the final NC metrics', async () => {
    await makeRun(home);
    const text = pipelineTable(await buildSummary(home, RUN));
    expect(text).toContain('best test accuracy 75.00% at epoch 3');
    expect(text).toMatch(/MSP\s+90\.00 \/ 30\.00\s+75\.00 \/ 50\.00/);
    expect(text).toMatch(/Energy\s+95\.00 \/ 20\.00\s+70\.00 \/ 60\.00/);
    expect(text).toMatch(/NC1[\s\S]*0\.1000/);
  });

  it('says when Neural Collapse left classes without training samples out', async () => {
    const s = await buildSummary(home, RUN);
    if (!s.nc) throw new Error('the fixture run has NC results');
    s.nc.final = { ...s.nc.final, classes: 10, emptyClasses: [10, 11, 12] };
    expect(pipelineTable(s)).toContain(
      'Neural Collapse over the 10 classes with training samples; 3 empty classes left out (10, 11, 12).',
    );
  });
});
