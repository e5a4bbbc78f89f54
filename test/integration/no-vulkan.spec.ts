// A job on a machine without a Vulkan driver (simulated with VK_ICD_FILENAMES naming a file that does not exist, so
// the Vulkan loader finds no driver) must print none of Dawn's native warnings: they used to reach the terminal from
// the backend probe (see main/engine/backend/adapter-probe.ts). `oodlab info` still says why webgpu is unavailable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvable } from '../../main/engine/backend/versions';
import { cliBuilt, runOodlab } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const built = cliBuilt;
const dawnNoise = /vulkan|BackendVk|vkCreateInstance|loader_get_json|Warning:/i;

let home: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: home, cleanup } = await tempDir('oodlab-nodriver-')));
afterAll(() => cleanup());

async function oodlab(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return runOodlab(home, args, { VK_ICD_FILENAMES: '/nonexistent/oodlab-no-such-icd.json' });
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
