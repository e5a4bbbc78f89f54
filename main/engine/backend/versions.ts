/**
 * Library versions for BackendReport / BackendInfo, read from the installed packages' package.json so that
 * what summary.json records is what actually ran (resolved from node_modules, which also works from out/main).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const nodeRequire = createRequire(import.meta.url);

/** The installed version of a package, or null when it is not installed. */
export function packageVersion(pkg: string): string | null {
  try {
    const json = JSON.parse(readFileSync(nodeRequire.resolve(`${pkg}/package.json`), 'utf8')) as {
      version?: string;
    };
    return json.version ?? null;
  } catch {
    return null;
  }
}

/** tfjs-core plus the named @tensorflow packages (short names, e.g. 'tfjs-backend-wasm') and any extra packages. */
export function coreVersions(tfjsPackages: string[], extra: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const short of ['tfjs-core', ...tfjsPackages]) {
    const v = packageVersion(`@tensorflow/${short}`);
    if (v) out[short] = v;
  }
  for (const pkg of extra) {
    const v = packageVersion(pkg);
    if (v) out[pkg] = v;
  }
  return out;
}

/** Whether a package can be resolved from here (cheap: no code is loaded). */
export function resolvable(pkg: string): boolean {
  try {
    nodeRequire.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}
