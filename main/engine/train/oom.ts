// Out-of-memory during a training step, survived: the paper recipe (batch 128, width 64) on the wasm backend failed
// at its second batch with "memory access out of bounds" (wasm's heap is 4 GiB). A step that runs out of memory is
// redone with half the micro-batch (gradients are summed over micro-batches, so the step is the same step; only
// batch-norm statistics come from smaller pieces), down to one image, and the job says so.
import { OodlabError } from '../../../common/contract/errors';

/** Errors that mean "this step needs less memory": wasm traps, failed allocations, backends' OOM messages. */
export function isOutOfMemory(err: unknown): boolean {
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return /memory access out of bounds|out of memory|\bOOM\b|failed to allocate|allocation failed|Cannot enlarge memory|RESOURCE_EXHAUSTED|Invalid typed array length/i.test(
    msg,
  );
}

/**
 * Runs step(micro) and, while it runs out of memory, again with half the micro-batch; returns the result and the
 * micro-batch that worked, so the caller keeps it for the following steps.
 */
export async function withMemoryRetry<T>(
  micro: number,
  step: (micro: number) => Promise<T>,
  log: (message: string) => void,
): Promise<{ result: T; micro: number }> {
  for (let m = micro; ;) {
    try {
      return { result: await step(m), micro: m };
    } catch (err) {
      if (!isOutOfMemory(err)) throw err;
      if (m <= 1)
        throw new OodlabError(
          'failed',
          `A training step ran out of memory even one image at a time (${(err as Error).message}). ` +
            'Use a smaller width, another backend, or a machine with more memory.',
        );
      const next = Math.max(1, Math.floor(m / 2));
      log(
        `A training step ran out of memory at micro-batch ${m}; redoing it at ${next} (and keeping ${next}).`,
      );
      m = next;
    }
  }
}
