// ONNX Runtime sessions for feature extraction. The CPU provider ships inside the onnxruntime-node package; its CUDA
// provider is a separate download that the package's install script would fetch (OODLab's package.json keeps that
// script off so installs stay offline-safe). Where the CUDA provider library is present beside the binding, and a
// session can be made with it, it is used and reported; otherwise the CPU provider with every core.
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { cudaProviderPresent, ortPackage } from './package';

export { ort };

export interface OrtSession {
  session: ort.InferenceSession;
  provider: 'cuda' | 'cpu';
  threads: number;
  /** ONNX Runtime's version (from its package). */
  version: string;
}

/** Opens a session for a model file or its bytes: CUDA when it works here, else the CPU with all cores. */
export async function openSession(
  model: string | Uint8Array,
  o: { threads?: number; log?: (m: string) => void } = {},
): Promise<OrtSession> {
  const { version } = ortPackage();
  const threads = o.threads ?? availableParallelism();
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
  };
  const create = (opts: ort.InferenceSession.SessionOptions) =>
    typeof model === 'string'
      ? ort.InferenceSession.create(model, opts)
      : ort.InferenceSession.create(model, opts);
  if (cudaProviderPresent()) {
    try {
      const session = await create({ ...base, executionProviders: ['cuda', 'cpu'] });
      o.log?.(`ONNX Runtime ${version}: CUDA execution provider`);
      return { session, provider: 'cuda', threads, version };
    } catch (err) {
      o.log?.(`ONNX Runtime: the CUDA provider did not start (${(err as Error).message}); using the CPU`);
    }
  }
  const session = await create({ ...base, executionProviders: ['cpu'] });
  o.log?.(`ONNX Runtime ${version}: CPU execution provider, ${threads} threads`);
  return { session, provider: 'cpu', threads, version };
}
