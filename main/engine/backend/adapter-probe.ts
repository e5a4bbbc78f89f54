/**
 * Asks Dawn (the `webgpu` package) for an adapter in a short-lived child process whose stderr is piped and kept.
 * Dawn's C++ writes its warnings ("Couldn't load Vulkan ... BackendVk.cpp", "vkCreateInstance: Found no drivers!")
 * straight to file descriptor 2, which every thread of a process shares: no process.stderr override or worker
 * thread can hold them back. So Dawn is loaded in a job's own process only once this probe has found an adapter;
 * on a machine without Vulkan nothing native reaches the user, and the reason is in system.info (System page,
 * `oodlab info`). The child's stderr is printed only with OODLAB_DEBUG set. One probe per thread, cached; a child that
 * crashes or hangs (a misbehaving driver) costs only itself.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** What Dawn says about an adapter (GPUAdapter.info); webgpu.ts summarises it. */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface AdapterProbe {
  info?: AdapterInfoLike;
  /** Why there is no adapter. */
  reason?: string;
  /** What Dawn and the Vulkan loader wrote to stderr, kept for a debug log. */
  stderr: string;
}

const nodeRequire = createRequire(import.meta.url);

// Plain CommonJS for `node -e`: one JSON line on stdout.
const script = `
(async () => {
  const say = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
  try {
    const { create, globals } = await import(process.env.OODLAB_WEBGPU_URL);
    Object.assign(globalThis, globals);
    const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
    const i = adapter && adapter.info ? adapter.info : null;
    say(i ? { info: { vendor: i.vendor, architecture: i.architecture, device: i.device,
      description: i.description, isFallbackAdapter: i.isFallbackAdapter } } : { reason: 'Dawn found no WebGPU adapter' });
  } catch (e) {
    say({ reason: String((e && e.message) || e) });
  }
  process.exit(0);
})();`;

/** Runs the probe in a fresh child process (no cache). */
export function runAdapterProbe(
  timeoutMs = 10_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AdapterProbe> {
  let url: string;
  try {
    url = pathToFileURL(nodeRequire.resolve('webgpu')).href;
  } catch {
    return Promise.resolve({ reason: 'the `webgpu` package (Dawn for Node) is not installed', stderr: '' });
  }
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let settled = false;
    const child = spawn(process.execPath, ['-e', script], {
      // ELECTRON_RUN_AS_NODE: inside the packaged app process.execPath is Electron, which must act as plain Node.
      env: { ...env, OODLAB_WEBGPU_URL: url, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const done = (r: Omit<AdapterProbe, 'stderr'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const probe = { ...r, stderr: err };
      if (process.env.OODLAB_DEBUG && err.trim())
        process.stderr.write(`[oodlab debug] WebGPU adapter probe stderr:\n${err.trimEnd()}\n`);
      resolve(probe);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ reason: `no answer from the WebGPU adapter within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    timer.unref?.();
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 65536) err += d.toString();
    });
    child.on('error', (e) => done({ reason: `the WebGPU probe could not start: ${e.message}` }));
    child.on('close', (code, signal) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const m = JSON.parse(line) as { info?: AdapterInfoLike; reason?: string };
        done(m.info ? { info: m.info } : { reason: m.reason ?? 'no adapter' });
      } catch {
        done({ reason: `the WebGPU probe ended without an answer (${signal ?? `exit code ${code}`})` });
      }
    });
  });
}

let cached: Promise<AdapterProbe> | null = null;

/** The adapter probe of this thread, run once. */
export function probeAdapter(timeoutMs = 10_000): Promise<AdapterProbe> {
  cached ??= runAdapterProbe(timeoutMs);
  return cached;
}
