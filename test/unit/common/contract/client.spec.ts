// The one typed client (common/contract/client.ts) that preload, the browser's WebSocket client and the CLI share:
// a result comes back as it was sent, main's error comes back as an OodlabError with its code, and a listener hears
// only its own channel until it unsubscribes.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../../../common/contract/client';
import { OodlabError } from '../../../../common/contract/errors';

function transport() {
  const listeners = new Set<(channel: string, payload: unknown) => void>();
  const sent: [string, unknown][] = [];
  const api = createClient({
    async request(channel, req) {
      sent.push([channel, req]);
      return channel === 'runs.get'
        ? { error: { code: 'not_found', message: "No run 'x'." } }
        : { result: { cancelled: true } };
    },
    listen(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  const push = (channel: string, payload: unknown) => {
    for (const l of listeners) l(channel, payload);
  };
  return { api, sent, push, listeners };
}

describe('createClient', () => {
  it('sends the channel and request, and answers the result', async () => {
    const t = transport();
    await expect(t.api.invoke('jobs.cancel', { id: 'j1' })).resolves.toEqual({ cancelled: true });
    expect(t.sent).toEqual([['jobs.cancel', { id: 'j1' }]]);
  });

  it("throws main's error as an OodlabError with its code and message", async () => {
    const err = await transport()
      .api.invoke('runs.get', { id: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OodlabError);
    expect(err).toMatchObject({ code: 'not_found', message: "No run 'x'." });
  });

  it('a listener hears its own channel only, until it unsubscribes', () => {
    const t = transport();
    const heard: unknown[] = [];
    const off = t.api.on('job.log', (l) => heard.push(l.message));
    t.push('job.update', { message: 'not mine' });
    t.push('job.log', { message: 'mine' });
    off();
    t.push('job.log', { message: 'too late' });
    expect(heard).toEqual(['mine']);
    expect(t.listeners.size).toBe(0);
  });
});
