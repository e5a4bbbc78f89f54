// Calling a runtime's API from a test, and setting an environment variable for the length of a spec file.
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createRuntime, type Runtime } from '../../main/runtime';
import { tempDir } from './tmp';

/** One API call: its result, or its error thrown (message and code). */
export async function callApi<T>(rt: Runtime, channel: string, req: unknown): Promise<T> {
  const r = await rt.api.call(channel, req);
  if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result as T;
}

/** Sets an environment variable; the returned function puts back what was there (or removes it). */
export function setEnv(name: string, value: string): () => void {
  const saved = process.env[name];
  process.env[name] = value;
  return () => {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  };
}

/** A runtime in browser mode on a temporary home, made before the file's tests and shut down after them; `dir` is
 * the temporary folder, the home itself unless `home` names a folder inside it. */
export function useRuntime(
  o: Omit<Parameters<typeof createRuntime>[0], 'home' | 'mode'> & { home?: string } = {},
): { readonly rt: Runtime; readonly dir: string } {
  const t = { rt: undefined as unknown as Runtime, dir: '' };
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir: t.dir, cleanup } = await tempDir());
    t.rt = createRuntime({ ...o, mode: 'browser', home: o.home ? join(t.dir, o.home) : t.dir });
  });
  afterAll(async () => {
    await t.rt.jobs.shutdown();
    await cleanup();
  });
  return t;
}
