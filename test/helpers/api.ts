// Calling a runtime's API from a test, and setting an environment variable for the length of a spec file.
import type { Runtime } from '../../main/runtime';

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
