// A job on a machine without a Vulkan driver (simulated with VK_ICD_FILENAMES naming a file that does not exist, so
// the Vulkan loader finds no driver) must print none of Dawn's native warnings: they used to reach the terminal from
// the backend probe (see main/engine/backend/adapter-probe.ts). `oodlab info` still says why webgpu is unavailable.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvable } from '../../main/engine/backend/versions';
import { tempDir } from '../helpers/tmp';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(join(root, 'out/main/cli.js'));
const run = promisify(execFile);
const dawnNoise = /vulkan|BackendVk|vkCreateInstance|loader_get_json|Warning:/i;

let home: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: home, cleanup } = await tempDir('oodlab-nodriver-')));
afterAll(() => cleanup());

async function oodlab(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const [cmd, pre] = built
    ? [process.execPath, [join(root, 'bin/oodlab.js')]]
    : [join(root, 'node_modules/.bin/tsx'), [join(root, 'main/cli/index.ts')]];
  return run(cmd, [...pre, ...args], {
    cwd: root,
    env: { ...process.env, OODLAB_HOME: home, VK_ICD_FILENAMES: '/nonexistent/oodlab-no-such-icd.json' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

describe.skipIf(!resolvable('webgpu'))(`no Vulkan driver (${built ? 'built CLI' : 'sources'})`, () => {
  it('a training job (auto backend) prints no Dawn warning', async () => {
    const r = await oodlab(['train', '--preset', 'smoke', '--dataset', 'synthetic', '--epochs', '1']);
    expect(r.stdout).toMatch(/Done: 1 epochs/);
    expect(r.stdout).not.toMatch(dawnNoise);
    expect(r.stderr).not.toMatch(dawnNoise);
  }, 300_000);

  it('`oodlab info` says why webgpu is unavailable, without Dawn on stderr', async () => {
    const r = await oodlab(['info']);
    expect(r.stdout).toMatch(/webgpu\s+Dawn found no WebGPU adapter/);
    expect(r.stderr).not.toMatch(dawnNoise);
  }, 120_000);
});
