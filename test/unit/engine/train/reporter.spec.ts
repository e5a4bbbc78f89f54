import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunManifest } from '../../../../common/contract/runs';
import { presetConfig } from '../../../../common/train/presets';
import { createRun, ownerStamp, readManifest } from '../../../../main/engine/runs/store';
import { BATCH_EVENT_MS, TrainReporter } from '../../../../main/engine/train/reporter';
import type { TaskContext } from '../../../../main/engine/task';
import { tempDir } from '../../../helpers/tmp';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir: home, cleanup } = await tempDir()));
afterEach(() => cleanup());

function fakeContext() {
  const events: { channel: string; payload: unknown; at: number }[] = [];
  const ctx: TaskContext = {
    jobId: 'j1',
    home,
    signal: new AbortController().signal,
    progress: () => {},
    log: () => {},
    emit: (channel, payload) => events.push({ channel, payload, at: Date.now() }),
  };
  return { ctx, events };
}

const batch = (b: number) => ({
  epoch: 1,
  batch: b,
  batches: 1000,
  loss: 1,
  acc: 0.5,
  lr: 0.1,
  imagesPerSecond: 10,
});

describe('TrainReporter', () => {
  it('serialises manifest writes so a heartbeat never writes back an old epoch count', async () => {
    const m = await createRun(home, 'smoke', presetConfig('smoke'));
    const { ctx, events } = fakeContext();
    const rep = new TrainReporter(ctx, m.id, 4);
    // heartbeats and epoch updates fired together, as the interval and the loop would
    const all = [];
    for (let e = 1; e <= 4; e++) {
      all.push(rep.manifest({ owner: ownerStamp() }));
      all.push(rep.manifest({ epochsDone: e }));
      all.push(rep.manifest({ owner: ownerStamp() }));
    }
    await Promise.all(all);
    expect((await readManifest(home, m.id)).epochsDone).toBe(4);
    const seen = events
      .filter((e) => e.channel === 'run.update')
      .map((e) => (e.payload as RunManifest).epochsDone);
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // never goes back
  });

  it('emits at most one train.batch event per BATCH_EVENT_MS', async () => {
    const m = await createRun(home, 'smoke', presetConfig('smoke'));
    const { ctx, events } = fakeContext();
    // A fake clock: with the real one, a millisecond could tick between the reporter's reading and the event's
    // stamp here, and two events 250 ms apart by the reporter's clock measured 249.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout'] });
    try {
      const rep = new TrainReporter(ctx, m.id, 4);
      const t0 = Date.now();
      for (let b = 1; Date.now() - t0 < 600; b++) {
        rep.batch(batch(b));
        await vi.advanceTimersByTimeAsync(5);
      }
    } finally {
      vi.useRealTimers();
    }
    const times = events.filter((e) => e.channel === 'train.batch').map((e) => e.at);
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(times.length).toBeLessThanOrEqual(3); // 600 ms / 250 ms, first one at once
    for (let i = 1; i < times.length; i++)
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(BATCH_EVENT_MS);
  });
});
