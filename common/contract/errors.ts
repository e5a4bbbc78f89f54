// Errors cross every process boundary as values: { error: { code, message } }.
// Main throws OodlabError; the API wraps it; preload / the WebSocket client rebuild it.

export const errorCodes = [
  'invalid_request',
  'unknown_channel',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'too_large',
  'cancelled',
  'unavailable',
  'failed',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export type Envelope<T> = { result: T; error?: undefined } | { error: ErrorBody; result?: undefined };

export class OodlabError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'OodlabError';
    this.code = code;
  }
}

/** Turns anything thrown into the wire form; unknown errors keep their message but become 'internal'. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof OodlabError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}

export function fromErrorBody(body: ErrorBody): OodlabError {
  return new OodlabError(body.code, body.message);
}
