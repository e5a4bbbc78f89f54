import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../../../common/train/presets';
import {
  acquireRunLock,
  lockPath,
  processStart,
  readLock,
  type LockOwner,
} from '../../../../main/engine/runs/lock';
import { createRun, readManifest, updateManifest } from '../../../../main/engine/runs/store';
import { createRuntime, type Runtime } from '../../../../main/runtime';
import { tempDir } from '../../../helpers/tmp';

// Item 1 of issue 18: one trainer per run across processes (CLI, browser mode, app), with stale-lock recovery.
let home: string;
let rt: Runtime;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  home = t.dir;
  rt = createRuntime({ mode: 'browser', home });
});
afterAll(async () => {
  await rt.jobs.shutdown();
  await cleanup();
});

const smoke = () =>
  presetConfig('smoke', {
    epochs: 2,
    synthetic: { classes: 4, trainPerClass: 8, testPerClass: 2 },
    width: 2,
  });
/** A run left 'interrupted' (its owner gone), which anyone may resume. */
async function interruptedRun(): Promise<string> {
  const m = await createRun(home, 'lock', smoke());
  await updateManifest(home, m.id, { state: 'cancelled', owner: undefined });
  return m.id;
}
/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}
const owner = (p: Partial<LockOwner>): LockOwner => ({
  pid: process.ppid,
  host: hostname(),
  procStart: processStart(process.ppid),
  since: new Date().toISOString(),
  what: 'train',
  ...p,
});

describe('run lock', () => {
  it('is exclusive within a process, and free again once released', async () => {
    const id = await interruptedRun();
    const a = await acquireRunLock(home, id, 'train');
    await expect(acquireRunLock(home, id, 'train')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`process ${process.pid}`),
    });
    expect(await readLock(lockPath(home, id))).toMatchObject({ pid: process.pid, what: 'train' });
    await a.release();
    const b = await acquireRunLock(home, id, 'train');
    await b.release();
    expect(existsSync(lockPath(home, id))).toBe(false);
  });

  it('refuses while a living process holds it; takes over when its pid is dead or reused', async () => {
    const id = await interruptedRun();
    await writeFile(lockPath(home, id), JSON.stringify(owner({})));
    await expect(acquireRunLock(home, id, 'train')).rejects.toMatchObject({ code: 'conflict' });

    const heard: LockOwner[] = [];
    await writeFile(lockPath(home, id), JSON.stringify(owner({ pid: await deadPid() })));
    const a = await acquireRunLock(home, id, 'train', (s) => heard.push(s));
    expect(heard).toHaveLength(1);
    await a.release();

    if (processStart(process.ppid) !== null) {
      // the parent's pid, but a start time it never had: the pid was reused by another process
      await writeFile(lockPath(home, id), JSON.stringify(owner({ procStart: '1' })));
      const b = await acquireRunLock(home, id, 'train');
      await b.release();
    }
    await writeFile(lockPath(home, id), '{"pid": 12'); // half-written by a crash
    await (await acquireRunLock(home, id, 'train')).release();
  });

  it('lets exactly one of many concurrent takers replace a stale lock', async () => {
    const id = await interruptedRun();
    await writeFile(lockPath(home, id), JSON.stringify(owner({ pid: await deadPid() })));
    const tries = await Promise.allSettled(
      Array.from({ length: 8 }, () => acquireRunLock(home, id, 'train')),
    );
    expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(1);
    for (const t of tries) if (t.status === 'fulfilled') await t.value.release();
    expect((await readdir(join(home, 'runs', id))).filter((f) => f.startsWith('.lock'))).toEqual([]);
  });

  it('train.resume refuses a run another living process holds, without touching its manifest', async () => {
    const id = await interruptedRun();
    const before = await readManifest(home, id);
    await writeFile(lockPath(home, id), JSON.stringify(owner({ what: 'resume' })));
    const r = await rt.api.call('train.resume', { runId: id });
    expect(r.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/in use by process/) });
    expect(await readManifest(home, id)).toEqual(before);
    const del = await rt.api.call('runs.delete', { id });
    expect(del.error?.code).toBe('conflict');
    expect(existsSync(join(home, 'runs', id))).toBe(true);
  });

  it('two processes resuming one run at once: exactly one trains it', async () => {
    const id = await interruptedRun();
    const barrier = join(home, `barrier-${id}`);
    await mkdir(barrier);
    const run = promisify(execFile);
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const script = join(process.cwd(), 'test/helpers/resume-child.ts');
    const kids = ['a', 'b', 'c'].map((tag) =>
      run(tsx, [script, home, id, barrier, tag], { timeout: 60_000 }),
    );
    await expect.poll(async () => (await readdir(barrier)).length, { timeout: 40_000 }).toBe(3);
    await writeFile(join(barrier, 'go'), '');
    const outs = (await Promise.all(kids)).map((k) => JSON.parse(k.stdout.trim().split('\n').pop()!));
    expect(outs.filter((o) => o.ok)).toHaveLength(1);
    for (const o of outs.filter((o) => !o.ok)) expect(o.error.code).toBe('conflict');
  }, 90_000);
});
