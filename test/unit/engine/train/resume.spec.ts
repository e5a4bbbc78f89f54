// Issue 18 item 2: a resume whose checkpoints/last is missing or corrupt falls back to the newest valid checkpoint,
// says so, keeps a copy of the history of later epochs and moves the unusable checkpoint aside.
import { access, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingHistory } from '../../../../common/contract/train';
import { presetConfig } from '../../../../common/train/presets';
import { initBackend } from '../../../../main/engine/backend';
import { saveCheckpoint } from '../../../../main/engine/model/checkpoint';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { createRun, readHistory, runFiles, writeHistory } from '../../../../main/engine/runs/store';
import { interruptedDir, saveInterrupted } from '../../../../main/engine/train/interrupt';
import { resumeState } from '../../../../main/engine/train/resume';
import { Sgd } from '../../../../main/engine/train/sgd';
import { tempDir } from '../../../helpers/tmp';

let home: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await initBackend('cpu');
  ({ dir: home, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const entry = (epoch: number) => ({
  epoch,
  trainLoss: 1 / epoch,
  trainAcc: 0.1 * epoch,
  testLoss: 1,
  testAcc: 0.1 * epoch,
  lr: 0.1,
  seconds: 1,
  imagesPerSecond: 10,
});
const sgd = () => new Sgd({ lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 });

/** A run trained to epoch 5: epoch-002, epoch-004, best (epoch 3), last (epoch 5), a 5-epoch history. */
async function trainedRun(): Promise<{ id: string; history: TrainingHistory }> {
  const m = await createRun(home, 'resume', presetConfig('smoke'));
  const f = runFiles(home, m.id);
  for (const [name, epoch] of [
    [2, 2],
    [4, 4],
    ['best', 3],
    ['last', 5],
  ] as const) {
    const model = new ResNet18({ width: 2, numClasses: 3, seed: epoch });
    await saveCheckpoint(f.checkpoint(name), model, name === 'last' ? sgd() : null, {
      epoch,
      width: 2,
      numClasses: 3,
      bestEpoch: 3,
      bestTestAcc: 0.3,
    });
    model.dispose();
  }
  const history: TrainingHistory = {
    runId: m.id,
    config: {
      dataset: 'synthetic',
      width: 2,
      epochs: 8,
      batchSize: 8,
      lr: 0.1,
      schedule: 'cosine',
      seed: 0,
      numClasses: 3,
    },
    epochs: [1, 2, 3, 4, 5].map(entry),
  };
  await writeHistory(home, m.id, history);
  return { id: m.id, history };
}

async function resume(id: string, history: TrainingHistory) {
  const logs: string[] = [];
  const model = new ResNet18({ width: 2, numClasses: 3, seed: 99 });
  const state = await resumeState(home, id, model, sgd(), { ...history, epochs: [] }, (_l, m) =>
    logs.push(m),
  );
  model.dispose();
  return { state, logs };
}

describe('resume point', () => {
  it('resumes from last when it is sound, dropping nothing', async () => {
    const { id, history } = await trainedRun();
    const { state, logs } = await resume(id, history);
    expect(state.epochsDone).toBe(5);
    expect(state.history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(logs).toEqual([]);
  });

  it('falls back to the newest valid checkpoint when last is missing, and keeps the later history', async () => {
    const { id, history } = await trainedRun();
    await rm(runFiles(home, id).checkpoint('last'), { recursive: true });
    const { state, logs } = await resume(id, history);
    expect(state).toMatchObject({ epochsDone: 4, bestEpoch: 3, bestTestAcc: 0.3 });
    expect(state.history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(logs.join('\n')).toMatch(
      /checkpoints\/last is missing: resuming from checkpoints\/epoch-004 \(epoch 4\)/,
    );
    const copies = (await readdir(runFiles(home, id).dir)).filter((n) =>
      n.startsWith('training_history.before-resume'),
    );
    expect(copies).toHaveLength(1);
    const kept = JSON.parse(
      await readFile(join(runFiles(home, id).dir, copies[0]), 'utf8'),
    ) as TrainingHistory;
    expect(kept.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect((await readHistory(home, id))!.epochs).toHaveLength(5); // the run's own history is rewritten by the loop
  });

  it('skips a corrupt last and a corrupt epoch-004, naming the files, and moves them aside', async () => {
    const { id, history } = await trainedRun();
    const f = runFiles(home, id);
    for (const name of ['last', 4] as const) {
      const dir = f.checkpoint(name);
      const bin = (await readdir(dir)).find((n) => n.endsWith('.bin'))!;
      const bytes = await readFile(join(dir, bin));
      bytes[100] ^= 0xff; // one flipped byte, same size
      await writeFile(join(dir, bin), bytes);
    }
    const { state, logs } = await resume(id, history);
    // best (epoch 3) is now the newest valid checkpoint
    expect(state.epochsDone).toBe(3);
    const text = logs.join('\n');
    expect(text).toMatch(/checkpoints\/last\/weights-[0-9a-f]+\.bin is corrupt/);
    expect(text).toMatch(/checkpoints\/epoch-004\/weights-[0-9a-f]+\.bin is corrupt/);
    expect(text).toMatch(/checkpoints\/last is unusable: resuming from checkpoints\/best \(epoch 3\)/);
    const names = await readdir(f.checkpoints);
    expect(names.filter((n) => n.includes('.unusable-')).sort()).toEqual([
      expect.stringMatching(/^epoch-004\.unusable-/),
      expect.stringMatching(/^last\.unusable-/),
    ]);
  });

  it('restarts at epoch 1 with the old history kept when no checkpoint is usable', async () => {
    const { id, history } = await trainedRun();
    await rm(runFiles(home, id).checkpoints, { recursive: true });
    const { state, logs } = await resume(id, history);
    expect(state.epochsDone).toBe(0);
    expect(logs.join('\n')).toMatch(/restarts from epoch 1[\s\S]*kept in training_history\.before-resume/);
  });

  // Issue 17's mid-epoch checkpoint goes through the same resume point: it continues epoch 6 of this run.
  const progress = { batch: 2, lossSum: 3.5, correct: 7, images: 16, seconds: 1.5, draws: 40 };
  async function interrupted(id: string, epoch: number) {
    const model = new ResNet18({ width: 2, numClasses: 3, seed: 7 });
    const meta = { epoch, width: 2, numClasses: 3, bestEpoch: 3, bestTestAcc: 0.3, bestScore: 0.35 };
    await saveInterrupted(home, id, model, sgd(), meta, progress);
    model.dispose();
  }

  it('continues from checkpoints/interrupted when it follows last; bestScore is bestTestAcc for a checkpoint without one', async () => {
    const { id, history } = await trainedRun();
    await interrupted(id, 5);
    const { state, logs } = await resume(id, history);
    expect(state).toMatchObject({ epochsDone: 5, bestEpoch: 3, bestTestAcc: 0.3, bestScore: 0.3 });
    expect(state.partial).toEqual(progress);
    expect(logs).toEqual([]);
  });

  it('drops an interrupted checkpoint of another point, and moves a corrupt one aside', async () => {
    const { id, history } = await trainedRun();
    await interrupted(id, 4); // older than last: stale
    expect((await resume(id, history)).state.partial).toBeUndefined();
    await expect(access(interruptedDir(home, id))).rejects.toThrow();

    await interrupted(id, 5);
    const dir = interruptedDir(home, id);
    const bin = (await readdir(dir)).find((n) => n.endsWith('.bin'))!;
    const bytes = await readFile(join(dir, bin));
    bytes[100] ^= 0xff;
    await writeFile(join(dir, bin), bytes);
    const { state, logs } = await resume(id, history);
    expect(state.epochsDone).toBe(5);
    expect(state.partial).toBeUndefined();
    expect(logs.join('\n')).toMatch(
      /interrupted\/weights-[0-9a-f]+\.bin is corrupt[\s\S]*interrupted\.unusable-/,
    );
    expect(
      (await readdir(runFiles(home, id).checkpoints)).some((n) => n.startsWith('interrupted.unusable-')),
    ).toBe(true);
  });
});
