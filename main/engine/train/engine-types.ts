// What a training engine is (engine.ts chooses one; ort-engine.ts and engine.ts' TfjsEngine are the two), and what
// the environment asks of it.

export type TrainEngineName = 'tfjs' | 'onnxruntime';

export interface EngineStepOptions {
  labelSmoothing: number;
  microBatch?: number;
  /** Sees the batch's accumulated gradients (spec names and layouts, before weight decay); the fidelity checks. */
  onGrads?: (grads: ReadonlyMap<string, Float32Array>) => void;
}

/** A batch as makeBatch writes it: x NHWC (n, 32, 32, 3) normalised, y the labels. */
export interface HostBatch {
  x: Float32Array;
  y: Int32Array;
}

export interface TrainEngine {
  readonly name: TrainEngineName;
  /** For the log: what runs the step. */
  readonly description: string;
  /** Forward, backward and one SGD update at opt.lr: the batch's mean loss and correct count. */
  step(batch: HostBatch, o: EngineStepOptions): Promise<{ loss: number; correct: number }>;
  /** Inference mode (running statistics) on a batch: its summed, unsmoothed cross-entropy and correct count. */
  evaluate(batch: HostBatch): Promise<{ lossSum: number; correct: number }>;
  /** Writes the engine's state into the model and the optimiser (no-op where they are the state). */
  sync(): void;
  dispose(): void;
}

/** The engine the environment asks for (OODLAB_TRAIN_ENGINE), or null to choose by backend. */
export function requestedEngine(): TrainEngineName | null {
  const v = process.env.OODLAB_TRAIN_ENGINE;
  if (!v) return null;
  if (v === 'tfjs' || v === 'onnxruntime') return v;
  throw new Error(`OODLAB_TRAIN_ENGINE must be tfjs or onnxruntime, not "${v}"`);
}

/** Whether the ONNX Runtime engine may use NCHWc blocks: OODLAB_TRAIN_NCHWC=0 says no; 1 or unset, where they exist. */
export function nchwcRequested(): boolean {
  const v = process.env.OODLAB_TRAIN_NCHWC;
  if (!v || v === '1') return true;
  if (v === '0') return false;
  throw new Error(`OODLAB_TRAIN_NCHWC must be 0 or 1, not "${v}"`);
}
