// Cluster runs on a real SLURM: a one-node cluster started by scripts/slurm-up.sh (munged, slurmctld, slurmd in a
// temporary folder), a two-seed smoke group submitted with `oodlab cluster submit`; in the middle of training, task 0
// is requeued with `scontrol requeue` (SIGTERM, as a pre-emption sends) and task 1 gets SIGUSR1 on its batch shell
// (`scancel --batch --signal=USR1`, what `--signal=B:USR1@N` sends before the time limit: the script requeues it).
// Then: both tasks complete, each stopped cleanly and resumed from its checkpoint (SLURM restarted it once; the
// epochs trained before are kept as they were, none is repeated; the history runs 1..N), and `oodlab aggregate`
// reports the mean and the sample std of every figure as computed here from the two runs' own summary.json files.
// It uses the cluster SLURM_CONF points to when one answers (.ci/run starts one), else starts its own and stops it.
// Without SLURM (or root, or a build) it says why it is skipped; in CI (CI=true) that is a failure instead.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupStatus, GroupSummary } from '../../common/contract/cluster';
import { Summary } from '../../common/contract/report';
import { TrainingHistory, type HistoryEntry } from '../../common/contract/train';
import { tempDir } from '../helpers/tmp';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const EPOCHS = 30; // long enough that both tasks are still training when the test stops them, even on an idle machine

function missing(): string | null {
  for (const b of ['sbatch', 'scontrol', 'slurmctld', 'slurmd', 'munged'])
    try {
      execFileSync('sh', ['-c', `command -v ${b}`], { stdio: 'ignore' });
    } catch {
      return `${b} is not installed (apt-get install slurm-wlm munge)`;
    }
  if (process.getuid?.() !== 0) return 'the one-node cluster needs root (SlurmUser=root)';
  if (!existsSync(join(root, 'out/main/cli.js'))) return 'the CLI is not built (npm run build)';
  return null;
}
const skipReason = missing();
if (skipReason) console.warn(`SLURM integration test skipped: ${skipReason}`);

let home: string;
let cleanup: () => Promise<void>;
let slurmDir: string | undefined;
let env: NodeJS.ProcessEnv;

async function oodlab(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [join(root, 'bin/oodlab.js'), ...args], {
    cwd: root,
    env,
    maxBuffer: 16 << 20,
  });
  return stdout;
}
/** `oodlab cluster submit --preset smoke --seeds SEEDS ARGS...`, its output. */
const submitSmoke = (seeds: string, ...args: string[]) =>
  oodlab(['cluster', 'submit', '--preset', 'smoke', '--seeds', seeds, ...args]);
const slurm = async (cmd: string, args: string[]) => (await run(cmd, args, { env })).stdout;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(
  what: string,
  seconds: number,
  f: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let last = '';
  for (;;) {
    const v = await f().catch((err: Error & { fatal?: boolean }) => {
      if (err.fatal) throw err;
      last = err.message; // not there yet (a file being written, a command between states)
      return null;
    });
    if (v) return v;
    if (Date.now() > end)
      throw new Error(
        `timed out after ${seconds} s waiting for ${what}${last ? ` (last error: ${last})` : ''}`,
      );
    await sleep(250);
  }
}
const readJson = async (p: string): Promise<unknown> => JSON.parse(await readFile(p, 'utf8')) as unknown;

describe.skipIf(skipReason && process.env.CI !== 'true')('a seeded group on a one-node SLURM cluster', () => {
  beforeAll(async () => {
    if (skipReason) throw new Error(`CI must run the SLURM integration test: ${skipReason}`);
    ({ dir: home, cleanup } = await tempDir('oodlab-cluster-'));
    const running = process.env.SLURM_CONF
      ? await run('sinfo', ['--noheader']).then(
          () => true,
          () => false,
        )
      : false;
    if (!running) {
      slurmDir = join(home, 'slurm');
      const port = String(7000 + (process.pid % 400) * 2);
      const { stdout } = await run(join(root, 'scripts/slurm-up.sh'), ['up', slurmDir], {
        env: { ...process.env, SLURM_UP_PORT: port },
      });
      expect(stdout).toContain('SLURM_CONF=');
    }
    env = {
      ...process.env,
      ...(slurmDir ? { SLURM_CONF: join(slurmDir, 'slurm.conf') } : {}),
      OODLAB_HOME: join(home, 'data'),
    };
  });

  afterAll(async () => {
    if (slurmDir && existsSync(slurmDir)) await run(join(root, 'scripts/slurm-up.sh'), ['down', slurmDir]);
    await cleanup?.();
  });

  it('trains both seeds, survives a requeue mid-training and aggregates mean and std', async () => {
    const out = await submitSmoke(
      '0,1',
      '--epochs',
      String(EPOCHS),
      '--backend',
      'wasm',
      '--time',
      '0:30:00',
    );
    const groupId = /Submitted group (\S+): SLURM array job (\d+)/.exec(out)?.[1];
    const jobId = /SLURM array job (\d+)/.exec(out)?.[1];
    expect(groupId, out).toBeTruthy();
    const status = async () =>
      JSON.parse(await oodlab(['cluster', 'status', groupId!, '--json'])) as GroupStatus;
    const first = await status();
    expect(first.group.jobId).toBe(jobId);
    const runDirOf = (i: number) => join(env.OODLAB_HOME!, 'runs', first.tasks[i].runId);
    const historyOf = async (i: number) =>
      TrainingHistory.parse(await readJson(join(runDirOf(i), 'training_history.json'))).epochs;

    // Both tasks have trained two epochs and are in the middle of more: stop them the two ways SLURM does.
    await until('both tasks to train 2 epochs', 480, async () => {
      const h = await Promise.all([historyOf(0), historyOf(1)]);
      return h.every((x) => x.length >= 2 && x.length < EPOCHS - 2);
    });
    await slurm('scontrol', ['requeue', `${jobId}_0`]);
    await slurm('scancel', ['--batch', '--signal=USR1', `${jobId}_1`]);

    // Each stops cleanly (signal -> checkpoint -> 'cancelled') and SLURM holds it pending until its begin time.
    const stopped: { epochsDone: number }[] = [];
    for (const i of [0, 1])
      stopped[i] = await until(`task ${i} to stop and be pending`, 90, async () => {
        const m = (await readJson(join(runDirOf(i), 'manifest.json'))) as {
          state: string;
          epochsDone: number;
        };
        const t = (await status()).tasks.find((x) => x.index === i)!;
        return m.state === 'cancelled' && (t.state === 'requeued' || t.state === 'pending') ? m : null;
      });
    const before = await Promise.all([historyOf(0), historyOf(1)]);
    for (const i of [0, 1]) {
      expect(stopped[i].epochsDone).toBeGreaterThanOrEqual(2);
      expect(before[i].length).toBe(stopped[i].epochsDone);
      // The signal made it save a mid-epoch checkpoint that continues from the last whole epoch.
      const meta = (await readJson(join(runDirOf(i), 'checkpoints/interrupted/model.json'))) as {
        userDefinedMetadata: { epoch: number; progress: { batch: number } };
      };
      expect(meta.userDefinedMetadata.epoch).toBe(stopped[i].epochsDone);
      // Do not wait for SLURM's requeue delay (about a minute): make it eligible now.
      await slurm('scontrol', ['update', `JobId=${jobId}_${i}`, 'StartTime=now']).catch(() => '');
    }

    const done = await until('both tasks to complete', 420, async () => {
      const s = await status();
      if (s.tasks.some((t) => t.state === 'failed' || t.state === 'cancelled'))
        throw Object.assign(new Error(`a task failed: ${JSON.stringify(s.tasks, null, 1)}`), { fatal: true });
      return s.state === 'completed' ? s : null;
    });
    expect(done.tasks.map((t) => t.state)).toEqual(['completed', 'completed']);
    for (const i of [0, 1]) {
      expect(done.tasks[i].restarts).toBe(1);
      // Resumed from its checkpoint: the log says so, and the epochs from before the stop are the same records.
      const log = await readFile(
        join(env.OODLAB_HOME!, 'groups', groupId!, 'logs', `${jobId}_${i}.out`),
        'utf8',
      );
      expect(log).toMatch(/restart 1/);
      expect(log).toContain(`resuming run ${done.tasks[i].runId} after epoch ${stopped[i].epochsDone}`);
      expect(log).toContain(`Resuming in epoch ${stopped[i].epochsDone + 1} of ${EPOCHS} at batch`);
      if (i === 1) expect(log).toContain('time limit near: checkpoint saved, requeueing');
      const after = await historyOf(i);
      expect(after.map((e: HistoryEntry) => e.epoch)).toEqual(
        Array.from({ length: EPOCHS }, (_, k) => k + 1),
      );
      expect(after.slice(0, before[i].length)).toEqual(before[i]);
      expect(existsSync(join(runDirOf(i), 'checkpoints', 'interrupted'))).toBe(false);
    }

    // The aggregate against mean and sample std computed here from the runs' own summary.json.
    const summaries = await Promise.all(
      done.tasks.map(async (t) =>
        Summary.parse(await readJson(join(env.OODLAB_HOME!, 'runs', t.runId, 'summary.json'))),
      ),
    );
    const agg = JSON.parse(await oodlab(['aggregate', groupId!, '--json'])) as GroupSummary;
    const check = (s: { mean: number; std: number | null; n: number } | undefined, values: number[]) => {
      const mean = (values[0] + values[1]) / 2;
      const std = Math.abs(values[0] - values[1]) / Math.SQRT2; // n = 2: sqrt(((a-m)^2 + (b-m)^2) / 1)
      expect(s).toBeDefined();
      expect(s!.n).toBe(2);
      expect(s!.mean).toBeCloseTo(mean, 12);
      expect(s!.std!).toBeCloseTo(std, 12);
    };
    check(
      agg.training.finalTestAcc,
      summaries.map((s) => s.training.finalTestAcc!),
    );
    check(
      agg.training.finalTestLoss,
      summaries.map((s) => s.training.finalTestLoss!),
    );
    expect(agg.seeds).toEqual([0, 1]);
    const rows = summaries[0].ood!.table;
    expect(rows.length).toBeGreaterThan(0);
    expect(agg.ood.length).toBe(rows.length);
    for (const r of rows) {
      const other = summaries[1].ood!.table.find((x) => x.method === r.method && x.dataset === r.dataset)!;
      const a = agg.ood.find((x) => x.method === r.method && x.dataset === r.dataset)!;
      for (const m of ['auroc', 'fpr95', 'auprIn', 'auprOut'] as const) check(a.metrics[m], [r[m], other[m]]);
    }
    check(
      agg.nc!.nc1,
      summaries.map((s) => s.nc!.final.nc1),
    );
    check(
      agg.nc!.nc3,
      summaries.map((s) => s.nc!.final.nc3),
    );
    check(
      agg.nc!['nc2.equiangularMeans'],
      summaries.map((s) => s.nc!.final.nc2.equiangularMeans),
    );
    // The last task to finish wrote the same summary.json on its own.
    const written = (await readJson(
      join(env.OODLAB_HOME!, 'groups', groupId!, 'summary.json'),
    )) as GroupSummary;
    expect(written.runs.sort()).toEqual(done.tasks.map((t) => t.runId).sort());
  }, 1_200_000); // generous: the waits above are bounded themselves, and a busy machine trains slowly

  it('a task that fails for another reason is reported failed, with the tail of its log', async () => {
    // No CUDA here: the tensorflow-gpu backend cannot start, so the task's training fails at once.
    const out = await submitSmoke('5', '--backend', 'tensorflow-gpu');
    const groupId = /Submitted group (\S+): SLURM/.exec(out)![1];
    const s = await until('the task to fail', 180, async () => {
      const st = JSON.parse(await oodlab(['cluster', 'status', groupId, '--json'])) as GroupStatus;
      return st.state === 'failed' ? st : null;
    });
    expect(s.tasks[0]).toMatchObject({ state: 'failed', slurmState: 'FAILED', run: { state: 'failed' } });
    expect(s.tasks[0].logTail).toContain('pipeline exited with 1');
    expect(s.tasks[0].logTail).toMatch(/tensorflow-gpu/);
    const text = await oodlab(['cluster', 'status', groupId]);
    expect(text).toContain('log, last lines');
  });
});
