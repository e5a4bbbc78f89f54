import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { presetConfig } from '../../../../common/train/presets';
import type { TrainingHistory } from '../../../../common/contract/train';
import {
  createRun,
  deleteRun,
  listCheckpoints,
  listRuns,
  newRunId,
  readHistory,
  readManifest,
  readRunConfig,
  runFiles,
  updateManifest,
  writeHistory,
} from '../../../../main/engine/runs/store';
import type { LivenessProbe } from '../../../../main/engine/runs/liveness';
import { smokeHistory } from '../../../helpers/runs';
import { tempDir } from '../../../helpers/tmp';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir: home, cleanup } = await tempDir()));
afterEach(() => cleanup());

const history = (runId: string, epochs: number): TrainingHistory =>
  smokeHistory(
    runId,
    Array.from({ length: epochs }, (_, i) => ({
      epoch: i + 1,
      trainLoss: 1 / (i + 1),
      trainAcc: 0.5,
      testLoss: 1,
      testAcc: 0.5,
      lr: 0.05,
      seconds: 1,
      imagesPerSecond: 100,
    })),
  );

describe('run store', () => {
  it('run ids sort by creation time', () => {
    const a = newRunId('quick', new Date(2026, 10, 26, 21, 15, 0), 'ab12');
    expect(a).toBe('20261126-211500-quick-ab12');
    const b = newRunId('paper', new Date(2026, 10, 26, 21, 15, 1), '0000');
    const c = newRunId('smoke', new Date(2027, 0, 2, 3, 4, 5), 'ffff');
    expect([c, a, b].sort()).toEqual([a, b, c]);
  });

  it('creates a run folder with its config and a running manifest owned by this process', async () => {
    const config = presetConfig('smoke');
    const m = await createRun(home, 'smoke', config);
    expect(m).toMatchObject({
      name: 'smoke',
      state: 'running',
      epochs: 4,
      epochsDone: 0,
      owner: { pid: process.pid },
    });
    expect(await readRunConfig(home, m.id)).toEqual(config);
    expect(await readManifest(home, m.id)).toEqual(m);
    expect(await readHistory(home, m.id)).toBeNull();
  });

  it('state transitions rewrite the manifest and refresh updatedAt', async () => {
    const m = await createRun(home, 'smoke', presetConfig('smoke'));
    await new Promise((r) => setTimeout(r, 5));
    const c = await updateManifest(home, m.id, { state: 'cancelled', epochsDone: 1, owner: undefined });
    expect(c.state).toBe('cancelled');
    expect(c.owner).toBeUndefined();
    expect(Date.parse(c.updatedAt)).toBeGreaterThan(Date.parse(m.updatedAt));
    const f = await updateManifest(home, m.id, {
      state: 'failed',
      error: { code: 'failed', message: 'loss NaN' },
    });
    expect(await readManifest(home, m.id)).toEqual(f);
    await expect(updateManifest(home, m.id, { state: 'bogus' as never })).rejects.toThrow();
    expect((await readManifest(home, m.id)).state).toBe('failed'); // a refused patch leaves the file as it was
  });

  it('writes atomically: no temporary files remain, concurrent readers always see a whole history', async () => {
    const m = await createRun(home, 'smoke', presetConfig('smoke'));
    const writes = Array.from({ length: 20 }, (_, i) => writeHistory(home, m.id, history(m.id, i + 1)));
    const reads = Array.from({ length: 20 }, () => readHistory(home, m.id).catch((e: unknown) => e));
    const seen = await Promise.all(reads);
    await Promise.all(writes);
    for (const h of seen) expect(h === null || (h as TrainingHistory).runId === m.id).toBe(true);
    expect((await readdir(runFiles(home, m.id).dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const last = await readHistory(home, m.id);
    expect(last?.epochs.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses an invalid history before touching the file', async () => {
    const m = await createRun(home, 'smoke', presetConfig('smoke'));
    await writeHistory(home, m.id, history(m.id, 2));
    const before = await readFile(runFiles(home, m.id).history, 'utf8');
    await expect(
      writeHistory(home, m.id, { ...history(m.id, 1), epochs: [{ epoch: 0 } as never] }),
    ).rejects.toThrow();
    expect(await readFile(runFiles(home, m.id).history, 'utf8')).toBe(before);
  });

  it('lists runs newest first, shows a dead owner as interrupted and skips folders without a manifest', async () => {
    const a = await createRun(home, 'a', presetConfig('smoke'));
    await new Promise((r) => setTimeout(r, 1100)); // ids have one-second resolution
    const b = await createRun(home, 'b', presetConfig('smoke'));
    await updateManifest(home, b.id, { state: 'done', owner: undefined });
    await mkdir(runFiles(home, 'junk').dir); // no manifest: not a run
    const probe: LivenessProbe = {
      now: Date.now(),
      host: 'h',
      pid: 1,
      isAlive: () => true,
      activeRunIds: new Set(),
    };
    // a's owner is this test process, which the probe says is not "us" but is alive with a fresh heartbeat
    const list = await listRuns(home, { ...probe, host: a.owner!.host });
    expect(list.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(list.map((r) => r.state)).toEqual(['done', 'running']);
    const dead = await listRuns(home, { ...probe, host: a.owner!.host, isAlive: () => false });
    expect(dead[1].state).toBe('interrupted');
    expect((await readManifest(home, a.id)).state).toBe('running'); // shown, never written
  });

  it('lists checkpoints in epoch order and deletes a run', async () => {
    const m = await createRun(home, 'smoke', presetConfig('smoke'));
    const f = runFiles(home, m.id);
    for (const name of ['last', 10, 1000, 2, 'best'] as const) await mkdir(f.checkpoint(name));
    await mkdir(join(f.checkpoints, '.epoch-004.tmp')); // a checkpoint being written is not listed
    expect(await listCheckpoints(home, m.id)).toEqual([
      'epoch-002',
      'epoch-010',
      'epoch-1000',
      'best',
      'last',
    ]);
    await deleteRun(home, m.id);
    expect(await listRuns(home)).toEqual([]);
    await expect(deleteRun(home, m.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
