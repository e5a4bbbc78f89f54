// Issue 18 item 3b: a run that needs more than a day is announced and, on a terminal, the user is asked; no stops
// it (resumably), yes goes on; other jobs' logs and other warnings ask nothing.
import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../main/events';
import { clientOf } from '../../../main/cli/client';
import { promptOnLongRun } from '../../../main/cli/long-run';
import { longRunWarning } from '../../../main/engine/train/eta';

function fake() {
  const bus = new EventBus();
  const call = vi.fn(async () => ({ result: { cancelled: true } }));
  return { api: clientOf({ bus, api: { call } }), bus, call };
}
const log = (jobId: string, level: 'warn' | 'info', message: string) => ({
  jobId,
  level,
  message,
  time: new Date().toISOString(),
});
const warning = longRunWarning(7.7, 200 * 50_000, 'wasm')!;

describe('oodlab train asks before a run of more than a day', () => {
  it('stops the job when the answer is no, once', async () => {
    const { api, bus, call } = fake();
    const ask = vi.fn(async () => false);
    promptOnLongRun(api, 'j1', ask);
    bus.emit('job.log', log('j2', 'warn', warning)); // another job
    bus.emit('job.log', log('j1', 'warn', 'Batch 128 at width 64 does not fit')); // another warning
    bus.emit('job.log', log('j1', 'warn', warning));
    bus.emit('job.log', log('j1', 'warn', warning));
    await new Promise((r) => setTimeout(r, 0));
    expect(ask).toHaveBeenCalledTimes(1);
    expect(ask).toHaveBeenCalledWith(warning);
    expect(call).toHaveBeenCalledWith('jobs.cancel', { id: 'j1' });
  });

  it('goes on when the user insists', async () => {
    const { api, bus, call } = fake();
    promptOnLongRun(api, 'j1', async () => true);
    bus.emit('job.log', log('j1', 'warn', warning));
    await new Promise((r) => setTimeout(r, 0));
    expect(call).not.toHaveBeenCalled();
  });
});
