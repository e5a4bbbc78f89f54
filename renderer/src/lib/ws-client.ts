import type { OodlabApi } from '../../../common/contract';
import { createClient } from '../../../common/contract/client';
import { OodlabError, type Envelope, type ErrorBody } from '../../../common/contract/errors';

type Pending = { resolve: (v: Envelope<unknown>) => void; reject: (e: Error) => void };
type Incoming = {
  id?: number | string | null;
  result?: unknown;
  error?: ErrorBody;
  event?: string;
  payload?: unknown;
};

/**
 * Browser mode: the contract over a WebSocket to `oodlab serve`. Requests carry ids; replies are envelopes;
 * pushed events carry their channel. Reconnects after a drop so a long job's events keep arriving.
 */
export function createWsClient(url: string): OodlabApi & { ready: Promise<void> } {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Set<(channel: string, payload: unknown) => void>();
  let ws: WebSocket;
  let open!: Promise<void>;

  const connect = () => {
    ws = new WebSocket(url);
    open = new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener(
        'error',
        () => reject(new OodlabError('unavailable', 'Cannot reach the OODLab host.')),
        { once: true },
      );
    });
    open.catch(() => undefined);
    ws.addEventListener('message', (e: MessageEvent<string>) => {
      const m = JSON.parse(e.data) as Incoming;
      if (m.event) {
        for (const l of listeners) l(m.event, m.payload);
        return;
      }
      const p = typeof m.id === 'number' ? pending.get(m.id) : undefined;
      if (!p) return;
      pending.delete(m.id as number);
      p.resolve(m.error ? { error: m.error } : { result: m.result });
    });
    ws.addEventListener('close', () => {
      for (const p of pending.values())
        p.reject(new OodlabError('unavailable', 'Connection to the OODLab host closed.'));
      pending.clear();
      setTimeout(connect, 1000);
    });
  };
  connect();

  const client = createClient({
    async request(channel, req) {
      await open;
      const id = nextId++;
      const reply = new Promise<Envelope<unknown>>((resolve, reject) => pending.set(id, { resolve, reject }));
      ws.send(JSON.stringify({ id, channel, payload: req }));
      return reply;
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  return {
    ...client,
    get ready() {
      return open;
    },
  };
}
