import { describe, expect, it } from 'vitest';
import { tf } from '../../../../main/engine/backend';
import { readCheckpointMeta } from '../../../../main/engine/model/checkpoint';
import { createRun, listCheckpoints, readHistory, runFiles } from '../../../../main/engine/runs/store';
import { keepsEpochCheckpoint, runLoop } from '../../../../main/engine/train/loop';
import { useTempHome } from '../../../helpers/runs';
import { tinyLoop } from '../../../helpers/train';

// The loop on a width-2 net and 16 images: what it writes each epoch, and how a non-finite loss stops it.
const t = useTempHome('wasm');
const { c, data, start, make } = tinyLoop({ classes: 2, batchSize: 8, checkpointEvery: 2 });
const io = (runId: string, onEpoch: (epoch: number) => void = () => {}) => ({
  home: t.home,
  runId,
  signal: new AbortController().signal,
  onBatch: () => {},
  onEpoch: (e: { epoch: number }) => onEpoch(e.epoch),
});

describe('runLoop', () => {
  it('keeps epoch-NNN at the interval and at the end', () => {
    expect([1, 2, 3].map((e) => keepsEpochCheckpoint(c, e))).toEqual([false, true, true]);
    expect(keepsEpochCheckpoint({ checkpointEvery: 10, epochs: 200 }, 190)).toBe(true);
    expect(keepsEpochCheckpoint({ checkpointEvery: 10, epochs: 200 }, 195)).toBe(false);
  });

  it('writes history and checkpoints each epoch without leaking tensors', async () => {
    const m = await createRun(t.home, 'loop', c);
    const { model, opt } = make();
    const counts: number[] = [];
    const state = start(m.id);
    const end = await runLoop(
      model,
      opt,
      data,
      c,
      state,
      io(m.id, () => counts.push(tf.memory().numTensors)),
    );
    expect(end.epochsDone).toBe(3);
    expect(counts[2]).toBe(counts[1]); // momentum buffers exist after epoch 1; nothing grows after that
    expect((await readHistory(t.home, m.id))!.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(await listCheckpoints(t.home, m.id)).toEqual(['epoch-002', 'epoch-003', 'best', 'last']);
    expect(await readCheckpointMeta(runFiles(t.home, m.id).checkpoint('last'))).toMatchObject({
      epoch: 3,
      width: 2,
    });
    opt.dispose();
    model.dispose();
  });

  it('a non-finite loss stops training with a clear error and keeps the last good checkpoint', async () => {
    const m = await createRun(t.home, 'nan', c);
    const { model, opt } = make();
    const poison = () => {
      const fc = model.classifier().weight as tf.Variable;
      fc.assign(tf.fill(fc.shape, NaN));
    };
    const state = start(m.id);
    const run = runLoop(
      model,
      opt,
      data,
      c,
      state,
      io(m.id, (e) => e === 1 && poison()),
    );
    await expect(run).rejects.toMatchObject({
      code: 'failed',
      message: expect.stringMatching(/loss became NaN at epoch 2/),
    });
    expect(await readCheckpointMeta(runFiles(t.home, m.id).checkpoint('last'))).toMatchObject({ epoch: 1 });
    expect((await readHistory(t.home, m.id))!.epochs.length).toBe(1);
    opt.dispose();
    model.dispose();
  });
});
