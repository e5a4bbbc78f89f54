// Which engine extracts features: ONNX Runtime for imported ONNX models always, and for OODLab's own checkpoints (as
// a temporary ONNX export) when it is faster than the tfjs backend in use and its native binding loads here; the
// tfjs forward pass otherwise. ONNX Runtime wins on the CPU: bench/train-throughput.ts and bench/onnx-extract.ts
// measure it 1.7-4x faster than tfjs' wasm backend at widths 8 to 64 on a 2-core machine (figures in the README). A
// GPU backend of tfjs stays in use unless ONNX Runtime has its CUDA provider too.
// OODLAB_EXTRACT_ENGINE=tfjs|onnxruntime overrides the choice.
import { existsSync, readFileSync } from 'node:fs';
import { OodlabError } from '../../../common/contract/errors';
import { ImportedModel } from '../../../common/contract/models';
import type { BackendName } from '../../../common/contract/system';
import { importFile } from '../model/import/stage';
import { cudaProviderPresent, ortLoadError } from '../model/onnx/package';

const cpuBackends: BackendName[] = ['wasm', 'cpu', 'tensorflow'];

export function ortFaster(backend: BackendName | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const forced = env.OODLAB_EXTRACT_ENGINE;
  if (forced === 'tfjs') return false;
  if (forced === 'onnxruntime') return true;
  if (!backend || cpuBackends.includes(backend)) return true;
  return cudaProviderPresent();
}

/**
 * The engine for one of OODLab's own checkpoints: ONNX Runtime where ortFaster says so and it loads; tfjs otherwise,
 * with the reason when ONNX Runtime was wanted but does not load (an explicit OODLAB_EXTRACT_ENGINE=onnxruntime then
 * fails instead of falling back).
 */
export async function extractionEngine(
  backend: BackendName | undefined,
  env: NodeJS.ProcessEnv = process.env,
  loadError: () => Promise<string | null> = ortLoadError,
): Promise<{ engine: 'onnxruntime' | 'tfjs'; fallback?: string }> {
  if (!ortFaster(backend, env)) return { engine: 'tfjs' };
  const why = await loadError();
  if (!why) return { engine: 'onnxruntime' };
  if (env.OODLAB_EXTRACT_ENGINE === 'onnxruntime')
    throw new OodlabError(
      'failed',
      `OODLAB_EXTRACT_ENGINE=onnxruntime, but ONNX Runtime does not load here: ${why}`,
    );
  return { engine: 'tfjs', fallback: `ONNX Runtime does not load here (${why}); extracting with tfjs` };
}

/** True when the run was imported from an ONNX file (cheap: import.json names its format). */
export function isImportedOnnx(home: string, runId: string): boolean {
  const path = importFile(home, runId);
  if (!existsSync(path)) return false;
  try {
    return ImportedModel.parse(JSON.parse(readFileSync(path, 'utf8'))).format === 'onnx';
  } catch {
    throw new OodlabError('failed', `The import record of run ${runId} (import.json) is damaged.`);
  }
}
