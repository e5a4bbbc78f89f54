import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NcAnalyzeRequest, NcResults } from '../../../../common/contract/nc';
import { ncFiles, readEpochCache } from '../../../../main/engine/nc/results';
import { analyzeRun } from '../../../../main/engine/nc/run-analysis';
import { createRun, runDir } from '../../../../main/engine/runs/store';
import { runLoop } from '../../../../main/engine/train/loop';
import { useTempHome } from '../../../helpers/runs';
import { tinyLoop } from '../../../helpers/train';

// A width-2 net trained 3 epochs on 3 synthetic classes (checkpoints kept at epochs 2 and 3), then analysed.
const tmp = useTempHome('wasm', 'oodlab-nc-run-');
let home: string;
let runId: string;
const { c, data, start, make } = tinyLoop({ classes: 3, batchSize: 8, checkpointEvery: 2 });

beforeAll(async () => {
  home = tmp.home;
  runId = (await createRun(home, 'nc', c)).id;
  const { model, opt } = make();
  const io = { home, runId, signal: new AbortController().signal, onBatch: () => {}, onEpoch: () => {} };
  await runLoop(model, opt, data, c, start(runId), io);
  opt.dispose();
  model.dispose();
});

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
