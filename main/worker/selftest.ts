import { OodlabError } from '../../common/contract';
import type { TaskFn } from '../engine/task';

/**
 * A job that exercises the job machinery itself: counts to `steps`, honours cancel, and can be told to crash
 * (throw, or kill its thread) so tests can check that the main process survives a broken worker, or ignore cancel.
 */
export const selftest: TaskFn = async (params, ctx) => {
  const p = (params ?? {}) as { steps?: number; delayMs?: number; crash?: 'throw' | 'exit'; deaf?: boolean };
  const steps = p.steps ?? 10;
  for (let i = 0; i < steps; i++) {
    // deaf: never looks at the cancel flag, like a step stuck in native code (the manager must stop it by force)
    if (ctx.signal.aborted && !p.deaf)
      throw new OodlabError('cancelled', `Cancelled at step ${i} of ${steps}.`);
    if (p.crash === 'throw' && i === Math.floor(steps / 2))
      throw new Error('Injected failure inside the worker.');
    if (p.crash === 'exit' && i === Math.floor(steps / 2)) process.exit(3);
    await new Promise((r) => setTimeout(r, p.delayMs ?? 5));
    ctx.progress({ fraction: (i + 1) / steps, message: `step ${i + 1}/${steps}` });
  }
  return { steps };
};
