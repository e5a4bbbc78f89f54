import { cp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Group, GroupStatus } from '../../../../common/contract/cluster';
import { clusterDeps, pollOnce } from '../../../../main/api/handlers/cluster';
import type { Slurm } from '../../../../main/engine/cluster/slurm';
import type { SlurmTaskRecord } from '../../../../main/engine/cluster/slurm-parse';
import { groupFiles } from '../../../../main/engine/cluster/group';
import { runDir, updateManifest } from '../../../../main/engine/runs/store';
import { createRuntime, type Runtime } from '../../../../main/runtime';
import { makeRun, RUN } from '../../../helpers/run-fixture';
import { callApi } from '../../../helpers/api';
import { tempDir } from '../../../helpers/tmp';

// The cluster channels over a stand-in SLURM (what sbatch, scontrol and scancel would answer): submit writes the
// group and its script and records the job id; status puts SLURM's state beside the run folder's progress, the log
// tail of a failed task, a run folder's word when SLURM has forgotten the job; a completed group is aggregated; the
// poller pushes a change once.
let home: string;
let cleanup: () => Promise<void>;
let rt: Runtime;
const calls: string[] = [];
let records: SlurmTaskRecord[] = [];
const fake: Slurm = {
  submit: async (script) => (calls.push(`submit ${script}`), '99'),
  taskStates: async () =>
    records.length ? { records, note: null } : { records: [], note: 'SLURM no longer knows job 99' },
  cancel: async (id) => void calls.push(`cancel ${id}`),
};
const rec = (task: number, slurmState: string, restarts = 0): SlurmTaskRecord => ({
  task,
  slurmState,
  reason: null,
  restarts,
  exitCode: '0:0',
});

beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir());
  rt = createRuntime({ home, mode: 'browser' });
  clusterDeps.slurm = fake;
});
afterAll(() => cleanup());

const call = <T>(channel: string, req: unknown) => callApi<T>(rt, channel, req);

describe('cluster channels', () => {
  let group: Group;

  it('a dry run returns the script and writes nothing', async () => {
    const r = await call<{ script: string; submitted: boolean; group: Group }>('cluster.submit', {
      preset: 'paper',
      seeds: [0, 1, 2],
      dryRun: true,
    });
    expect(r.submitted).toBe(false);
    expect(r.script).toContain('#SBATCH --array=0-2');
    expect(existsSync(groupFiles(home, r.group.id).dir)).toBe(false);
  });

  it('refuses a data set that is not in the shared cache: tasks never download', async () => {
    await expect(call('cluster.submit', { preset: 'paper', seeds: [0] })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/oodlab download cifar100/),
    });
    await expect(call('cluster.submit', { preset: 'smoke', seeds: [1, 1] })).rejects.toThrow(
      /Seeds must differ/,
    );
  });

  it('submits: group.json with the job id, the script, one run id per seed', async () => {
    const r = await call<{ group: Group; submitted: boolean }>('cluster.submit', {
      preset: 'smoke',
      seeds: [3, 5],
    });
    group = r.group;
    expect(r.submitted).toBe(true);
    expect(group.jobId).toBe('99');
    const f = groupFiles(home, group.id);
    expect(calls).toEqual([`submit ${f.script}`]);
    expect(await readFile(f.script, 'utf8')).toContain('seeds=(3 5)');
    expect(JSON.parse(await readFile(f.group, 'utf8'))).toMatchObject({ jobId: '99' });
    expect(JSON.parse(await readFile(f.config, 'utf8'))).toMatchObject({ dataset: 'synthetic' });
    expect(group.tasks).toEqual([
      { index: 0, seed: 3, runId: `${group.id}-s3` },
      { index: 1, seed: 5, runId: `${group.id}-s5` },
    ]);
  });

  it("shows SLURM's state beside the run's progress, and a failed task's log tail", async () => {
    // task 0 has trained 2 of 4 epochs; task 1 ran, failed, and left a 30-line log
    await makeRun(home);
    await cp(runDir(home, RUN), runDir(home, group.tasks[0].runId), { recursive: true });
    await updateManifest(home, group.tasks[0].runId, {
      id: group.tasks[0].runId,
      state: 'cancelled',
      epochsDone: 2,
    });
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    await writeFile(groupFiles(home, group.id).log('99', 1), lines.join('\n') + '\n');
    records = [rec(0, 'PENDING', 1), rec(1, 'FAILED')];
    const s = await call<GroupStatus>('cluster.status', { id: group.id });
    expect(s.state).toBe('failed');
    expect(s.tasks[0]).toMatchObject({
      slurmId: '99_0',
      state: 'requeued',
      restarts: 1,
      run: { epochsDone: 2, epochs: 4 },
    });
    expect(s.tasks[0].logTail).toBeNull();
    expect(s.tasks[1]).toMatchObject({ slurmId: '99_1', state: 'failed', run: null });
    expect(s.tasks[1].logTail).toBe(lines.slice(10).join('\n'));
  });

  it('aggregates a completed group, also when SLURM has forgotten the job (run folders say done)', async () => {
    for (const t of group.tasks) {
      await cp(runDir(home, RUN), runDir(home, t.runId), { recursive: true, force: true });
      await updateManifest(home, t.runId, { id: t.runId, state: 'done', epochsDone: 4 });
    }
    records = [];
    const s = await call<GroupStatus>('cluster.status', { id: group.id });
    expect(s.slurm).toMatch(/no longer knows/);
    expect(s.tasks.map((t) => t.state)).toEqual(['completed', 'completed']);
    expect(s.state).toBe('completed');
    expect(s.summary?.runs).toEqual(group.tasks.map((t) => t.runId));
    expect(existsSync(groupFiles(home, group.id).summary)).toBe(true);
  });

  it('the poller pushes a change once; cancel asks scancel for the array job', async () => {
    const seen: string[] = [];
    const off = rt.bus.subscribe((ch, p) => ch === 'cluster.update' && seen.push((p as GroupStatus).state));
    const last = new Map<string, string>();
    const finished = new Set<string>();
    records = [rec(0, 'RUNNING'), rec(1, 'RUNNING')];
    await pollOnce(rt.ctx, last, finished);
    await pollOnce(rt.ctx, last, finished);
    records = [rec(0, 'COMPLETED'), rec(1, 'COMPLETED')];
    await pollOnce(rt.ctx, last, finished);
    await pollOnce(rt.ctx, last, finished);
    off();
    expect(seen).toEqual(['running', 'completed']);
    expect(finished.has(group.id)).toBe(true);
    expect(await call('cluster.cancel', { id: group.id })).toEqual({ cancelled: '99' });
    expect(calls.at(-1)).toBe('cancel 99');
  });
});
