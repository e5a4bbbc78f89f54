// Facts about the onnxruntime-node package that need no loaded binding: its version and folder, whether the CUDA
// provider library sits beside the binding, and whether the native binding loads on this machine at all (it ships
// for a set of platforms; where it does not load, feature extraction of OODLab's own runs stays on tfjs).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function ortPackage(): { version: string; binDir: string } {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('onnxruntime-node/package.json');
  const version = (require(pkgPath) as { version: string }).version;
  const binDir = join(dirname(pkgPath), 'bin', 'napi-v6', process.platform, process.arch);
  return { version, binDir };
}

/** True when the CUDA execution provider's library sits beside the binding (it is not bundled in the npm package). */
export function cudaProviderPresent(): boolean {
  if (process.env.OODLAB_ORT_CUDA === '0') return false;
  try {
    return existsSync(join(ortPackage().binDir, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false; // the package is not installed
  }
}

let probe: Promise<string | null> | undefined;

/** Null when onnxruntime-node and its native binding load in this process; otherwise why not (asked once). */
export function ortLoadError(): Promise<string | null> {
  probe ??= import('onnxruntime-node').then(
    () => null,
    (err: unknown) => {
      // the innermost error names the cause (a loader may wrap the binding's "cannot open shared object file")
      let e = err;
      while (e instanceof Error && e.cause instanceof Error) e = e.cause;
      return (e instanceof Error ? e.message : String(e)).split('\n')[0];
    },
  );
  return probe;
}
