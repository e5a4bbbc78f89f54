// The options of a feature extraction, shared by both engines (extract.ts: tfjs; extract-onnx.ts: ONNX Runtime).
import type { CheckpointRef } from '../../../common/contract/ood';
import type { BackendChoice } from '../../../common/contract/system';

export interface ExtractOptions {
  checkpoint: CheckpointRef;
  /** OOD sets; default: see default-ood.ts. */
  oodSets?: string[];
  /** Initialises this backend first; the caller's backend is used when absent. */
  backend?: BackendChoice;
  /** Per-stage pooled features of ID train/test (layer<k>_*.npy), default true. */
  layers?: boolean;
  signal?: AbortSignal;
  progress?: (fraction: number, message: string) => void;
  log?: (message: string) => void;
  batchSize?: number;
  /** Images in the proxy set (from ID test). */
  proxyCount?: number;
}
