// Where a resumed run starts. `last` (weights + momentum) is the resume point; when it is missing or corrupt, the
// newest checkpoint that loads and passes its checksum is used instead, and the job says so. Whatever the point,
// history entries of later epochs are kept in a copy before the history is cut back, and unusable checkpoints are
// moved aside rather than overwritten: a resume never loses a record of work done. A stop in the middle of the next
// epoch (interrupt.ts) continues from checkpoints/interrupted when it follows the chosen point.
import { readdir, rename } from 'node:fs/promises';
import { checkpointEpoch, parseCheckpointName } from '../../../common/contract/checkpoint-name';
import type { TrainingHistory } from '../../../common/contract/train';
import { writeJsonAtomic } from '../runs/atomic';
import { readHistory, runFiles } from '../runs/store';
import { CheckpointError, loadCheckpoint, readCheckpointMeta } from '../model/checkpoint';
import type { ResNet18 } from '../model/resnet';
import { clearInterrupted, interruptedDir, loadInterrupted, type Interrupted } from './interrupt';
import type { LoopState } from './loop';
import type { Sgd } from './sgd';

type Log = (level: 'info' | 'warn', message: string) => void;

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** Checkpoint folders to try, newest epoch first; `last` first among equals (it alone holds the momentum). */
async function candidates(home: string, runId: string): Promise<{ name: string; epoch: number | null }[]> {
  const dir = runFiles(home, runId).checkpoints;
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: { name: string; epoch: number | null }[] = [];
  for (const name of names.filter((n) => parseCheckpointName(n) !== null)) {
    const meta = await readCheckpointMeta(`${dir}/${name}`).catch(() => null);
    out.push({ name, epoch: meta && Number.isInteger(meta.epoch) ? meta.epoch : null });
  }
  const rank = (c: { name: string }) => (c.name === 'last' ? 0 : checkpointEpoch(c.name) !== null ? 1 : 2);
  return out.sort((a, b) => (b.epoch ?? -1) - (a.epoch ?? -1) || rank(a) - rank(b));
}

/** Keeps a copy of the history when entries after `epoch` are about to be dropped; returns the copy's name. */
async function keepLaterHistory(
  home: string,
  runId: string,
  old: TrainingHistory | null,
  epoch: number,
): Promise<string | null> {
  if (!old || !old.epochs.some((e) => e.epoch > epoch)) return null;
  const name = `training_history.before-resume-${stamp()}.json`;
  await writeJsonAtomic(`${runFiles(home, runId).dir}/${name}`, old);
  return name;
}

/**
 * Loads the resume point into model (and opt when it is `last`) and returns the loop's starting state; epoch 0
 * with the fresh history when no checkpoint is usable.
 */
export async function resumeState(
  home: string,
  runId: string,
  model: ResNet18,
  opt: Sgd,
  fresh: TrainingHistory,
  log: Log,
): Promise<LoopState> {
  const f = runFiles(home, runId);
  const bad: { name: string; why: string }[] = [];
  let chosen: { name: string; meta: Awaited<ReturnType<typeof loadCheckpoint>> } | null = null;
  const all = await candidates(home, runId);
  if (!all.some((c) => c.name === 'last')) bad.push({ name: 'last', why: 'missing' });
  for (const c of all) {
    try {
      chosen = {
        name: c.name,
        meta: await loadCheckpoint(f.checkpoint(c.name as 'last'), model, c.name === 'last' ? opt : null),
      };
      break;
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      bad.push({ name: c.name, why: err.message });
    }
  }
  const epoch = chosen?.meta.epoch ?? 0;
  for (const b of bad) {
    if (b.why === 'missing') continue;
    const aside = `${b.name}.unusable-${stamp()}`;
    await rename(f.checkpoint(b.name as 'last'), `${f.checkpoints}/${aside}`).catch(() => undefined);
    log('warn', `${b.why} Moved aside to checkpoints/${aside}.`);
  }
  // A stop in the middle of the next epoch left its progress: continue from there (weights, momentum included).
  let partial: Interrupted | null = null;
  try {
    partial = await loadInterrupted(home, runId, epoch, model, opt);
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    const aside = `interrupted.unusable-${stamp()}`;
    await rename(interruptedDir(home, runId), `${f.checkpoints}/${aside}`).catch(() => undefined);
    log('warn', `${err.message} Moved aside to checkpoints/${aside}; the epoch restarts from its beginning.`);
  }
  if (!partial) await clearInterrupted(home, runId);
  if (chosen && chosen.name !== 'last') {
    const why = bad.find((b) => b.name === 'last')?.why === 'missing' ? 'is missing' : 'is unusable';
    log(
      'warn',
      `checkpoints/last ${why}: resuming from checkpoints/${chosen.name} (epoch ${epoch}), the newest valid ` +
        (partial ? 'checkpoint.' : 'checkpoint; SGD momentum restarts from zero.'),
    );
  }
  const old = await readHistory(home, runId).catch(async (err: unknown) => {
    // Cut short by a crash: kept aside as it is, and the history restarts from what the checkpoints say.
    const aside = `training_history.unreadable-${stamp()}.json`;
    await rename(f.history, `${f.dir}/${aside}`).catch(() => undefined);
    log(
      'warn',
      `${(err as Error).message} It is kept as ${aside}; the history restarts at the resume point.`,
    );
    return null;
  });
  if (!chosen && (bad.some((b) => b.why !== 'missing') || old?.epochs.length))
    log('warn', 'No usable checkpoint in this run: training restarts from epoch 1.');
  const copy = await keepLaterHistory(home, runId, old, epoch);
  if (copy)
    log(
      'warn',
      `The history had epochs after ${epoch}; they are kept in ${copy} before being trained again.`,
    );
  const history = { ...fresh, epochs: (old?.epochs ?? []).filter((e) => e.epoch <= epoch) };
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const state: LoopState = chosen
    ? {
        epochsDone: epoch,
        bestEpoch: num(chosen.meta.bestEpoch),
        bestTestAcc: num(chosen.meta.bestTestAcc),
        // checkpoints written before the validation split chose by test accuracy
        bestScore: num(chosen.meta.bestScore ?? chosen.meta.bestTestAcc),
        history,
      }
    : { epochsDone: 0, bestEpoch: 0, bestTestAcc: 0, bestScore: 0, history };
  return partial ? { ...state, partial: partial.progress } : state;
}
