// Issue 18 item 14: the CLI flushes stdout before it exits, so a --json result longer than a pipe's 64 KiB buffer
// reaches a slow reader whole (it was cut at 65,536 bytes: `oodlab evaluate --json | python3 -c 'json.load(...)'`).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../../common/train/presets';
import { createRun } from '../../../main/engine/runs/store';
import { tempDir } from '../../helpers/tmp';

let home: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir());
  for (let k = 0; k < 250; k++) await createRun(home, `r${k}`, presetConfig('smoke'));
});
afterAll(() => cleanup());

describe('CLI output through a pipe', () => {
  it('delivers a --json result of over 64 KiB whole to a reader that starts late', async () => {
    const out = join(home, 'runs.json');
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    // The reader sleeps first, so the CLI's writes queue behind a full pipe when the command is done.
    const cmd = `"${tsx}" main/cli/index.ts runs --json | (sleep 1; cat > "${out}")`;
    await promisify(execFile)('bash', ['-c', `set -o pipefail; ${cmd}`], {
      env: { ...process.env, OODLAB_HOME: home },
      timeout: 60_000,
    });
    const text = await readFile(out, 'utf8');
    expect(text.length).toBeGreaterThan(65_536);
    const runs = JSON.parse(text) as { id: string }[];
    expect(runs).toHaveLength(250);
  }, 90_000);
});
