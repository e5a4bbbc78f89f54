// system.info's backend list: every backend named once in auto order, with a reason wherever one cannot load,
// and the optional tfjs-node packages (absent here) reported as a clean "not installed".
import { describe, expect, it } from 'vitest';
import { backendNames } from '../../../../common/contract/system';
import { BackendUnavailableError, initBackend } from '../../../../main/engine/backend';
import { probeBackends } from '../../../../main/engine/backend/probe';
import { resolvable } from '../../../../main/engine/backend/versions';

describe('probeBackends', () => {
  it('lists every backend with a device or a reason', async () => {
    const list = await probeBackends();
    expect(list.map((b) => b.name)).toEqual([...backendNames]);
    for (const b of list) expect(b.available ? b.device : b.reason).toBeTruthy();
    expect(list.find((b) => b.name === 'wasm')?.available).toBe(true);
    const webgpu = list.find((b) => b.name === 'webgpu');
    if (webgpu?.available && /llvmpipe|swiftshader/i.test(webgpu.device ?? ''))
      expect(webgpu.software).toBe(true);
  });

  it('explains how to get tfjs-node when it is missing, and auto still finds a backend', async () => {
    if (resolvable('@tensorflow/tfjs-node')) return; // installed on this machine: nothing to explain
    const err = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/npm install @tensorflow\/tfjs-node/);
    const gpu = await initBackend('tensorflow-gpu').catch((e: unknown) => e as Error);
    expect((gpu as Error).message).toMatch(/CUDA 11\.2.*cuDNN 8\.1/);
    const auto = await initBackend('auto');
    expect(['webgpu', 'wasm']).toContain(auto.name);
    expect(auto.software).toBe(false); // llvmpipe is never picked automatically
  });

  it('agrees with a real initialisation about webgpu (the probe runs in its own worker)', async () => {
    const probed = (await probeBackends()).find((b) => b.name === 'webgpu')!;
    const real = await initBackend('webgpu').then(
      () => true,
      () => false,
    );
    expect(probed.available, probed.reason).toBe(real);
  });
});
