import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NcAnalyzeRequest, NcResults } from '../../../../common/contract/nc';
import { presetConfig } from '../../../../common/train/presets';
import { initBackend } from '../../../../main/engine/backend';
import { syntheticSet } from '../../../../main/engine/data/synthetic';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { ncFiles, readEpochCache } from '../../../../main/engine/nc/results';
import { analyzeRun } from '../../../../main/engine/nc/run-analysis';
import { createRun, runDir } from '../../../../main/engine/runs/store';
import { runLoop } from '../../../../main/engine/train/loop';
import { Sgd } from '../../../../main/engine/train/sgd';
import { tempDir } from '../../../helpers/tmp';

// A width-2 net trained 3 epochs on 3 synthetic classes (checkpoints kept at epochs 2 and 3), then analysed.
let home: string;
let cleanup: () => Promise<void>;
let runId: string;
const c = presetConfig('smoke', {
  width: 2,
  epochs: 3,
  batchSize: 8,
  checkpointEvery: 2,
  synthetic: { classes: 3, trainPerClass: 8, testPerClass: 4 },
});

beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir('oodlab-nc-run-'));
  await initBackend('wasm');
  runId = (await createRun(home, 'nc', c)).id;
  const model = new ResNet18({ width: 2, numClasses: 3, seed: 0 });
  const opt = new Sgd({ lr: c.lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay });
  const data = {
    train: syntheticSet({ seed: c.seed, ...c.synthetic! }, 'train'),
    test: syntheticSet({ seed: c.seed, ...c.synthetic! }, 'test'),
  };
  const history = {
    runId,
    config: {
      dataset: 'synthetic',
      width: 2,
      epochs: 3,
      batchSize: 8,
      lr: c.lr,
      schedule: c.schedule,
      seed: c.seed,
      numClasses: 3,
    },
    epochs: [],
  };
  const io = { home, runId, signal: new AbortController().signal, onBatch: () => {}, onEpoch: () => {} };
  await runLoop(
    model,
    opt,
    data,
    c,
    { epochsDone: 0, bestEpoch: 0, bestTestAcc: 0, bestScore: 0, history },
    io,
  );
  opt.dispose();
  model.dispose();
});
afterAll(() => cleanup());

function hooks(signal = new AbortController().signal) {
  const logs: string[] = [];
  const epochs: number[] = [];
  const fractions: number[] = [];
  return {
    logs,
    epochs,
    fractions,
    h: {
      signal,
      progress: (p: { fraction: number | null }) => fractions.push(p.fraction ?? -1),
      log: (_l: string, m: string) => logs.push(m),
      onEpoch: (e: { epoch: number }) => epochs.push(e.epoch),
    },
  };
}

describe('analyzeRun', () => {
  it('analyses the last model, each kept epoch and each stage, and caches per epoch', async () => {
    const t = hooks();
    const req = NcAnalyzeRequest.parse({ runId, epochs: true, layers: true, backend: 'wasm' });
    const r = NcResults.parse(await analyzeRun(home, req, t.h));
    expect(r.perEpoch.map((e) => e.epoch)).toEqual([2, 3]);
    expect(t.epochs).toEqual([2, 3]);
    // 'last' is epoch 3: the same weights give the same features, so the same metrics
    expect(r.perEpoch[1].metrics).toEqual(r.final);
    expect(r.layers.map((l) => l.name)).toEqual(['layer1', 'layer2', 'layer3', 'layer4', 'penultimate']);
    expect(r.layers.map((l) => l.dim)).toEqual([2, 4, 8, 16, 16]);
    // the penultimate features are the pooled stage-4 output
    expect(r.layers[3].nc1).toBeCloseTo(r.layers[4].nc1, 9);
    expect(Object.keys(r.final.idOodOrthogonality)).toEqual(['synthetic-ood']);
    expect(r.geometry.cosMeans).toHaveLength(3);
    expect(existsSync(ncFiles(home, runId).results)).toBe(true);
    expect(await readEpochCache(home, runId, 2)).toEqual(r.perEpoch[0]);
    // per-epoch features made only for this analysis are not left behind
    expect(existsSync(join(runDir(home, runId), 'features', 'epoch-002'))).toBe(false);
    expect(t.fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= t.fractions[i - 1] - 1e-9))).toBe(
      true,
    );
    expect(t.fractions.at(-1)).toBe(1);

    const again = hooks();
    const r2 = await analyzeRun(home, req, again.h);
    expect(r2.perEpoch).toEqual(r.perEpoch);
    expect(again.logs.filter((m) => /extracting/.test(m))).toEqual([]);
  });

  it('stops with a cancelled error when the signal is set', async () => {
    const ac = new AbortController();
    ac.abort();
    const req = NcAnalyzeRequest.parse({ runId, epochs: true });
    await expect(analyzeRun(home, req, hooks(ac.signal).h)).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('refuses a run that does not exist', async () => {
    await expect(
      analyzeRun(home, NcAnalyzeRequest.parse({ runId: 'nope' }), hooks().h),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
