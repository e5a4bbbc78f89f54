// The WebGPU adapter probe runs Dawn in a child process and keeps its native stderr: on a machine without a Vulkan
// driver (simulated with VK_ICD_FILENAMES naming a file that does not exist, which makes the Vulkan loader find no
// driver), Dawn's warnings are captured there, and loading a backend in this process prints none of them.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdapterProbe } from '../../../../main/engine/backend/adapter-probe';
import { resolvable } from '../../../../main/engine/backend/versions';
import { tempDir } from '../../../helpers/tmp';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const noVulkan = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/oodlab-no-such-icd.json' };
const dawnNoise = /vulkan|BackendVk|vkCreateInstance|loader_get_json|Warning:/i;
const hasDawn = resolvable('webgpu');

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('oodlab-probe-')));
afterAll(() => cleanup());

/** initBackend(choice) in a fresh process, as a job's worker calls it; resolves to its stdout and stderr. */
async function initIn(choice: string, env: NodeJS.ProcessEnv): Promise<{ out: string; err: string }> {
  const script = join(dir, 'init.mts');
  const index = pathToFileURL(join(root, 'main/engine/backend/index.ts')).href;
  await writeFile(
    script,
    `import { initBackend } from '${index}';\n` +
      `const r = await initBackend(process.argv[2] as 'auto').then((b) => b.name, (e: Error) => 'error: ' + e.message);\n` +
      `process.stdout.write(r + '\\n');\nprocess.exit(0);\n`,
  );
  return new Promise((resolve, reject) => {
    const p = spawn(join(root, 'node_modules/.bin/tsx'), [script, choice], { cwd: root, env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', () => resolve({ out, err }));
  });
}

describe.skipIf(!hasDawn)('WebGPU adapter probe without a Vulkan driver', () => {
  it('finds no adapter, says why, and keeps what Dawn wrote to stderr', async () => {
    const p = await runAdapterProbe(20_000, noVulkan);
    expect(p.info).toBeUndefined();
    expect(p.reason).toMatch(/no WebGPU adapter|Vulkan/i);
    expect(p.stderr).toMatch(dawnNoise); // what used to reach the user's terminal
  }, 30_000);

  it('auto picks another backend and prints nothing of Dawn', async () => {
    const r = await initIn('auto', noVulkan);
    expect(r.out.trim()).toBe('wasm');
    expect(r.err).not.toMatch(dawnNoise);
  }, 60_000);

  it('an explicit webgpu fails with the reason, still without Dawn on stderr', async () => {
    const r = await initIn('webgpu', noVulkan);
    expect(r.out).toMatch(/^error: The webgpu backend is not available: .*no WebGPU adapter.*Vulkan driver/);
    expect(r.err).not.toMatch(dawnNoise);
  }, 60_000);

  it('OODLAB_DEBUG shows the probe output as a debug log', async () => {
    const r = await initIn('webgpu', { ...noVulkan, OODLAB_DEBUG: '1' });
    expect(r.err).toContain('[oodlab debug] WebGPU adapter probe stderr:');
    expect(r.err).toMatch(dawnNoise);
  }, 60_000);
});
