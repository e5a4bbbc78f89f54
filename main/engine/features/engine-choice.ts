// Which engine extracts features of OODLab's own checkpoints: ONNX Runtime (a temporary ONNX export) or the tfjs
// backend in use. ONNX Runtime wins on the CPU: bench/onnx-extract.ts measures it several times faster than tfjs'
// wasm backend at widths 16 and 64 on a 2-core machine (figures in the README). A GPU backend of tfjs stays in use
// unless ONNX Runtime has its CUDA provider too. OODLAB_EXTRACT_ENGINE=tfjs|onnxruntime overrides the choice.
import type { BackendName } from '../../../common/contract/system';
import { cudaProviderPresent } from '../model/onnx/session';

const cpuBackends: BackendName[] = ['wasm', 'cpu', 'tensorflow'];

export function ortFaster(backend: BackendName | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const forced = env.OODLAB_EXTRACT_ENGINE;
  if (forced === 'tfjs') return false;
  if (forced === 'onnxruntime') return true;
  if (!backend || cpuBackends.includes(backend)) return true;
  return cudaProviderPresent();
}
