import type { Envelope } from '../../common/contract';
import type { Api } from '../api';

/** Client -> host. */
export interface WireRequest {
  id: number | string;
  channel: string;
  payload?: unknown;
}
/** Host -> client: a reply carries the request's id and an envelope; an event carries its channel. */
export type WireReply = { id: number | string | null } & Envelope<unknown>;
export interface WireEvent {
  event: string;
  payload: unknown;
}

/** One WebSocket message in, one reply out. Never throws: bad input becomes an error reply. */
export async function handleMessage(
  api: Api,
  data: Buffer,
  isBinary: boolean,
  maxBytes: number,
): Promise<WireReply> {
  if (data.byteLength > maxBytes)
    return {
      id: null,
      error: {
        code: 'too_large',
        message: `Message of ${data.byteLength} bytes exceeds the ${maxBytes}-byte limit.`,
      },
    };
  if (isBinary)
    return { id: null, error: { code: 'invalid_request', message: 'Binary messages are not accepted.' } };
  let msg: unknown;
  try {
    msg = JSON.parse(data.toString('utf8'));
  } catch {
    return { id: null, error: { code: 'invalid_request', message: 'Message is not valid JSON.' } };
  }
  const m = msg as Partial<WireRequest> | null;
  if (
    !m ||
    typeof m !== 'object' ||
    (typeof m.id !== 'number' && typeof m.id !== 'string') ||
    typeof m.channel !== 'string'
  )
    return {
      id: null,
      error: { code: 'invalid_request', message: 'Expected {"id", "channel", "payload"}.' },
    };
  return { id: m.id, ...(await api.call(m.channel, m.payload)) };
}
