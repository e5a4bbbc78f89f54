// Variants of issue 18's families: a JSON file of a run cut short (crash, full disk, hand edit) gives a message that
// names it, through every channel that reads one, and a resume keeps the unreadable history aside and goes on.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../../../common/train/presets';
import { initBackend } from '../../../../main/engine/backend';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { createRun, runFiles } from '../../../../main/engine/runs/store';
import { resumeState } from '../../../../main/engine/train/resume';
import { Sgd } from '../../../../main/engine/train/sgd';
import type { Runtime } from '../../../../main/runtime';
import { tempRuntime } from '../../../helpers/runtime';

let rt: Runtime;
let close: () => Promise<void>;
beforeAll(async () => ({ rt, close } = await tempRuntime()));
afterAll(() => close());

describe('JSON files cut short', () => {
  it('runs.get, ood.results, nc.results and report.summary name the file instead of a bare SyntaxError', async () => {
    const m = await createRun(rt.ctx.home, 'cut', presetConfig('smoke'));
    const f = runFiles(rt.ctx.home, m.id);
    await writeFile(join(f.dir, 'ood_results.json'), '{"version": 1, "meth');
    await writeFile(join(f.dir, 'nc_results.json'), '{"vers');
    for (const channel of ['ood.results', 'nc.results'] as const) {
      const r = await rt.api.call(channel, { runId: m.id });
      expect(r.error?.message, channel).toMatch(
        /results of run .* \(.*_results\.json\) is not valid JSON.*cut short/,
      );
    }
    const text = await readFile(f.manifest, 'utf8');
    await writeFile(f.manifest, text.slice(0, 40));
    const r = await rt.api.call('runs.get', { id: m.id });
    expect(r.error).toMatchObject({
      code: 'failed',
      message: expect.stringMatching(/manifest\.json\) is not valid JSON/),
    });
  });

  it('a resume with an unreadable history keeps it aside and goes on', async () => {
    await initBackend('cpu');
    const m = await createRun(rt.ctx.home, 'hist', presetConfig('smoke'));
    const f = runFiles(rt.ctx.home, m.id);
    await writeFile(f.history, '{"runId": "x", "epo');
    const logs: string[] = [];
    const model = new ResNet18({ width: 2, numClasses: 3 });
    const fresh = {
      runId: m.id,
      config: {
        dataset: 's',
        width: 2,
        epochs: 2,
        batchSize: 8,
        lr: 0.1,
        schedule: 'cosine',
        seed: 0,
        numClasses: 3,
      },
      epochs: [],
    };
    const s = await resumeState(
      rt.ctx.home,
      m.id,
      model,
      new Sgd({ lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 }),
      fresh,
      (_l, msg) => logs.push(msg),
    );
    model.dispose();
    expect(s.epochsDone).toBe(0);
    expect(logs.join('\n')).toMatch(
      /training_history\.json\) is not valid JSON.*kept as training_history\.unreadable-/,
    );
    expect((await readdir(f.dir)).some((n) => n.startsWith('training_history.unreadable-'))).toBe(true);
  });
});
