import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, parseSeeds } from '../../../main/cli/commands/cluster';
import { fmtStat } from '../../../main/cli/group-table';
import type { CliIO } from '../../../main/cli/io';
import { tempDir } from '../../helpers/tmp';

// `oodlab cluster`: seed lists, the dry run (prints the script, submits and writes nothing), and how mean ± std reads.
let home: string;
let cleanup: () => Promise<void>;
const saved = process.env.OODLAB_HOME;
beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir());
  process.env.OODLAB_HOME = home;
});
afterAll(async () => {
  process.env.OODLAB_HOME = saved;
  await cleanup();
});

function capture(): CliIO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), tty: false };
}

describe('oodlab cluster', () => {
  it('reads seeds as lists and ranges', () => {
    expect(parseSeeds('0,1,2')).toEqual([0, 1, 2]);
    expect(parseSeeds('0-4')).toEqual([0, 1, 2, 3, 4]);
    expect(parseSeeds('3, 5-6')).toEqual([3, 5, 6]);
    expect(() => parseSeeds('a')).toThrow(/not a seed/);
  });

  it('--dry-run prints the script with the options given and writes nothing', async () => {
    const io = capture();
    const code = await cluster.run(
      [
        'submit',
        '--preset',
        'paper',
        '--seeds',
        '0-2',
        '--gpus',
        '1',
        '--mem',
        '32G',
        '--time',
        '24:00:00',
        '--dry-run',
      ],
      io,
    );
    expect(code).toBe(0);
    const script = io.lines.join('\n');
    expect(script).toMatch(/^#!\/bin\/bash/);
    for (const d of [
      '--array=0-2',
      '--requeue',
      '--signal=B:USR1@300',
      '--gres=gpu:1',
      '--mem=32G',
      '--time=24:00:00',
    ])
      expect(script).toContain(`#SBATCH ${d}`);
    expect(script).toContain(`export OODLAB_HOME=${home}`);
    expect(existsSync(join(home, 'groups'))).toBe(false);
  });

  it('refuses a bad option value with the schema message', async () => {
    await expect(
      cluster.run(['submit', '--preset', 'smoke', '--time', 'tomorrow', '--dry-run'], capture()),
    ).rejects.toThrow(/like 24:00:00/);
  });

  it('prints mean ± std as percent or plain, "--" for one seed', () => {
    expect(fmtStat({ mean: 0.75, std: 0.0707107, n: 2, values: [0.7, 0.8] }, true)).toBe('75.00 ± 7.07');
    expect(fmtStat({ mean: 3, std: 1.41421356, n: 2, values: [2, 4] }, false)).toBe('3.0000 ± 1.4142');
    expect(fmtStat({ mean: 0.5, std: null, n: 1, values: [0.5] }, true)).toBe('50.00 ± --');
  });
});
