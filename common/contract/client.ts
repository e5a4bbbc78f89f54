// The one typed client of the contract. Every side that reaches main/ (preload over IPC, the browser over a
// WebSocket, the CLI in-process) only supplies a transport that carries envelopes and pushed events; this turns it
// into OodlabApi: a request answers its channel's response type or throws the OodlabError main threw, and a listener
// gets only its channel's payloads. A contract change thus fails to compile wherever a caller relies on it.
// Zod-free on purpose: a sandboxed preload cannot require packages.
import type { Channel, EventChannel, EventOf, OodlabApi, ResponseOf } from './index';
import { fromErrorBody, type Envelope } from './errors';

export interface Transport {
  /** Sends one request; resolves to main's envelope (a rejection is a transport failure). */
  request(channel: Channel, req: unknown): Promise<Envelope<unknown>>;
  /** Every pushed event with its channel; returns the unsubscribe. */
  listen(listener: (channel: string, payload: unknown) => void): () => void;
}

export function createClient(transport: Transport): OodlabApi {
  return {
    async invoke<C extends Channel>(channel: C, req: unknown): Promise<ResponseOf<C>> {
      const env = await transport.request(channel, req);
      if (env.error) throw fromErrorBody(env.error);
      // The one place a response gets its type: main validated the request and built the result from its schema.
      return env.result as ResponseOf<C>;
    },
    on<E extends EventChannel>(channel: E, listener: (payload: EventOf<E>) => void): () => void {
      return transport.listen((ch, payload) => {
        if (ch === channel) listener(payload as EventOf<E>);
      });
    },
  };
}
