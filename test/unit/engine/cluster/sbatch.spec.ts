import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Group } from '../../../../common/contract/cluster';
import { SlurmOptions } from '../../../../common/contract/cluster';
import { presetConfig } from '../../../../common/train/presets';
import { sbatchScript, shellQuote } from '../../../../main/engine/cluster/sbatch';
import { tempDir } from '../../../helpers/tmp';

// The script SLURM runs, checked two ways: its #SBATCH lines, and its behaviour under bash with a stand-in for
// oodlab (records its arguments and the signals it gets) and for scontrol (records its arguments). SLURM sends
// USR1 to the batch shell only (B:) and SIGTERM to every process of the job; the script must forward both, wait for
// oodlab to finish its checkpoint, and requeue itself only after a USR1.
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('oodlab-sbatch-')));
afterAll(() => cleanup());

const group = (home: string, command: string, slurm: Partial<SlurmOptions> = {}): Group => ({
  version: 1,
  id: '20261129-010000-paper-ab12',
  name: 'paper',
  createdAt: '2026-11-29T01:00:00.000Z',
  preset: 'paper',
  config: presetConfig('paper'),
  tasks: [0, 1, 2].map((seed, index) => ({
    index,
    seed: seed * 10,
    runId: `20261129-010000-paper-ab12-s${seed * 10}`,
  })),
  slurm: SlurmOptions.parse(slurm),
  home,
  command,
  jobId: null,
  submittedAt: null,
});

function runScript(
  script: string,
  env: NodeJS.ProcessEnv,
  signal: NodeJS.Signals,
  after: () => Promise<void>,
) {
  const child = spawn('bash', [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  return (async () => {
    await after();
    child.kill(signal);
    return { code: await code, out };
  })();
}

async function until(f: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await f().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}

describe('sbatch script', () => {
  it('asks for an array with one task per seed, requeue, a warning signal and the given resources', () => {
    const s = sbatchScript(
      group('/shared/oodlab', '/usr/bin/node /opt/oodlab/bin/oodlab.js', {
        partition: 'gpu',
        account: 'lab-1',
        gpus: 1,
        cpus: 8,
        mem: '32G',
        time: '24:00:00',
        extra: ['#SBATCH --constraint=a100'],
      }),
    );
    const directives = s.split('\n').filter((l) => l.startsWith('#SBATCH'));
    expect(directives).toEqual([
      '#SBATCH --job-name=oodlab-20261129-010000-paper-ab12',
      '#SBATCH --array=0-2',
      '#SBATCH --output=/shared/oodlab/groups/20261129-010000-paper-ab12/logs/%A_%a.out',
      '#SBATCH --open-mode=append',
      '#SBATCH --requeue',
      '#SBATCH --signal=B:USR1@300',
      '#SBATCH --partition=gpu',
      '#SBATCH --account=lab-1',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --cpus-per-task=8',
      '#SBATCH --mem=32G',
      '#SBATCH --time=24:00:00',
      '#SBATCH --constraint=a100',
    ]);
    // every #SBATCH line comes before the first command, or SLURM ignores it
    const firstCommand = s.split('\n').findIndex((l) => l && !l.startsWith('#'));
    expect(
      s
        .split('\n')
        .slice(firstCommand)
        .some((l) => l.startsWith('#SBATCH')),
    ).toBe(false);
    expect(s).toContain('seeds=(0 10 20)');
    expect(s).toContain('--no-download');
  });

  it('quotes words for bash', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellQuote("/my dir/it's")).toBe(`'/my dir/it'\\''s'`);
  });

  // A stand-in oodlab: records argv, then waits; on TERM or USR1 it "checkpoints" (a file) and exits 143 / 138.
  async function fakes(): Promise<{ home: string; env: NodeJS.ProcessEnv; script: string }> {
    const home = join(dir, `home-${Math.random().toString(36).slice(2)}`);
    const fake = join(dir, 'fake-oodlab.sh');
    await writeFile(
      fake,
      `#!/bin/bash
echo "$*" >> "$FAKE_LOG"
[ "$1" = aggregate ] && exit 0
trap 'echo "got TERM" >> "$FAKE_LOG"; exit 143' TERM
trap 'echo "got USR1" >> "$FAKE_LOG"; exit 138' USR1
echo started > "$FAKE_LOG.started"
while :; do sleep 0.05; done
`,
    );
    await writeFile(join(dir, 'scontrol'), `#!/bin/bash\necho "scontrol $*" >> "$FAKE_LOG"\n`);
    await chmod(fake, 0o755);
    await chmod(join(dir, 'scontrol'), 0o755);
    const script = join(dir, `script-${Math.random().toString(36).slice(2)}.sh`);
    await writeFile(script, sbatchScript(group(home, fake)));
    const log = join(dir, `log-${Math.random().toString(36).slice(2)}`);
    return {
      home,
      script,
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        FAKE_LOG: log,
        SLURM_ARRAY_TASK_ID: '1',
        SLURM_ARRAY_JOB_ID: '4242',
      },
    };
  }

  /** The script run until oodlab has started, then sent `signal`: its exit and the fake commands' log lines. */
  async function signalled(signal: NodeJS.Signals) {
    const f = await fakes();
    const log = f.env.FAKE_LOG!;
    const r = await runScript(f.script, f.env, signal, () =>
      until(async () => (await readFile(`${log}.started`)).length > 0),
    );
    return { r, lines: (await readFile(log, 'utf8')).trim().split('\n') };
  }

  it('on USR1: forwards it, waits for oodlab to stop, requeues its own task', async () => {
    const { r, lines } = await signalled('SIGUSR1');
    expect(lines[0]).toContain('pipeline --config');
    expect(lines[0]).toContain('--seed 10 --run-id 20261129-010000-paper-ab12-s10');
    expect(lines.slice(1)).toEqual(['got USR1', 'scontrol requeue 4242_1']);
    expect(r.code).toBe(0);
  });

  it("on SIGTERM: forwards it, waits, exits with oodlab's status and neither requeues nor aggregates", async () => {
    const { r, lines } = await signalled('SIGTERM');
    expect(lines.slice(1)).toEqual(['got TERM']);
    expect(r.code).toBe(143);
    expect(r.out).toContain('pipeline exited with 143');
  });
});
