// The oodlab command line as the integration tests run it: the build (bin/oodlab.js after `npm run build`) when there
// is one, else the sources through tsx; OODLAB_HOME set to the test's home.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Whether the tests run the built CLI (else the sources). */
export const cliBuilt = existsSync(join(repoRoot, 'out/main/cli.js'));
const run = promisify(execFile);

/** Runs `oodlab ARGS` with OODLAB_HOME=home (and any further environment); its stdout and stderr. */
export async function runOodlab(
  home: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  const [cmd, pre] = cliBuilt
    ? [process.execPath, [join(repoRoot, 'bin/oodlab.js')]]
    : [join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'main/cli/index.ts')]];
  return run(cmd, [...pre, ...args], {
    cwd: repoRoot,
    env: { ...process.env, OODLAB_HOME: home, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}
