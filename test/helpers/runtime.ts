import { createRuntime, type Runtime } from '../../main/runtime';
import { tempDir } from './tmp';

/** A runtime (browser mode) on a fresh temporary data folder; close() shuts its jobs down and removes the folder. */
export async function tempRuntime(): Promise<{ rt: Runtime; home: string; close: () => Promise<void> }> {
  const t = await tempDir();
  const rt = createRuntime({ mode: 'browser', home: t.dir });
  const close = async () => {
    await rt.jobs.shutdown();
    await t.cleanup();
  };
  return { rt, home: t.dir, close };
}
