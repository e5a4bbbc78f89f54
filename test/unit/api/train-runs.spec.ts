import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunManifest } from '../../../common/contract/runs';
import { presetConfig } from '../../../common/train/presets';
import { createRun, updateManifest, writeHistory } from '../../../main/engine/runs/store';
import { homePaths } from '../../../main/engine/runs/home';
import type { Runtime } from '../../../main/runtime';
import { tempRuntime } from '../../helpers/runtime';

// The train / runs handlers that need no training: validation, presets, listing, conflicts. Training itself is
// covered by test/integration/train.spec.ts.
let rt: Runtime;
let close: () => Promise<void>;
beforeAll(async () => ({ rt, close } = await tempRuntime()));
afterAll(() => close());

const livingStranger = (m: RunManifest) => ({
  ...m.owner!,
  pid: process.ppid,
  heartbeatAt: new Date().toISOString(),
});

describe('train.* and runs.* handlers', () => {
  it('train.presets answers the three presets as full configs', async () => {
    const r = await rt.api.call('train.presets', {});
    const p = r.result as Record<string, { config: { width: number; weightDecay: number } }>;
    expect(Object.keys(p).sort()).toEqual(['paper', 'quick', 'smoke']);
    expect(p.paper.config.width).toBe(64);
    expect(p.smoke.config.weightDecay).toBe(5e-4); // defaults filled in
  });

  it('train.start refuses a bad config before creating anything', async () => {
    const bad = await rt.api.call('train.start', { preset: 'smoke', overrides: { epochs: -1 } });
    expect(bad.error).toMatchObject({ code: 'invalid_request' });
    expect(bad.error?.message).toMatch(/epochs/);
    const both = await rt.api.call('train.start', { preset: 'smoke', config: presetConfig('smoke') });
    expect(both.error?.code).toBe('invalid_request');
    const unknown = await rt.api.call('train.start', { preset: 'tiny' });
    expect(unknown.error?.code).toBe('invalid_request');
    const noData = await rt.api.call('train.start', { preset: 'quick' });
    expect(noData.error).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/oodlab download cifar100/),
    });
    await expect(readdir(homePaths(rt.ctx.home).runs)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('runs.list / runs.get show state, config, history and checkpoints', async () => {
    const m = await createRun(rt.ctx.home, 'smoke', presetConfig('smoke'));
    const history = {
      runId: m.id,
      config: {
        dataset: 'synthetic',
        width: 4,
        epochs: 3,
        batchSize: 32,
        lr: 0.05,
        schedule: 'cosine',
        seed: 0,
        numClasses: 4,
      },
      epochs: [
        {
          epoch: 1,
          trainLoss: 1.2,
          trainAcc: 0.4,
          testLoss: 1.1,
          testAcc: 0.5,
          lr: 0.04,
          seconds: 2,
          imagesPerSecond: 128,
        },
      ],
    };
    await writeHistory(rt.ctx.home, m.id, history);
    await updateManifest(rt.ctx.home, m.id, { state: 'cancelled', epochsDone: 1, owner: undefined });
    const list = (await rt.api.call('runs.list', {})).result as RunManifest[];
    expect(list.find((r) => r.id === m.id)).toMatchObject({ state: 'cancelled', epochsDone: 1 });
    const d = (await rt.api.call('runs.get', { id: m.id })).result as RunDetail;
    expect(d.config).toEqual(presetConfig('smoke'));
    expect(d.history).toEqual(history);
    expect(d.checkpoints).toEqual([]);
    expect((await rt.api.call('runs.get', { id: 'nope' })).error?.code).toBe('not_found');
    expect((await rt.api.call('runs.get', { id: '..' })).error?.code).toBe('invalid_request');
  });

  it('a run this process created but no job trains is shown interrupted', async () => {
    const m = await createRun(rt.ctx.home, 'smoke', presetConfig('smoke'));
    const d = (await rt.api.call('runs.get', { id: m.id })).result as RunDetail;
    expect(d.manifest.state).toBe('interrupted');
  });

  it('refuses to delete or resume a run another live process is training; deletes it once stopped', async () => {
    const m = await createRun(rt.ctx.home, 'smoke', presetConfig('smoke'));
    await updateManifest(rt.ctx.home, m.id, { owner: livingStranger(m) });
    expect((await rt.api.call('runs.delete', { id: m.id })).error?.code).toBe('conflict');
    expect((await rt.api.call('train.resume', { runId: m.id })).error?.code).toBe('conflict');
    await updateManifest(rt.ctx.home, m.id, { state: 'done', owner: undefined });
    expect((await rt.api.call('train.resume', { runId: m.id })).error?.message).toMatch(/finished/);
    expect((await rt.api.call('runs.delete', { id: m.id })).result).toEqual({ deleted: true });
    expect((await rt.api.call('runs.delete', { id: m.id })).error?.code).toBe('not_found');
  });
});
