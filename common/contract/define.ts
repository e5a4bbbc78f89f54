import type { z } from 'zod';

/** One request channel: the schema its request must pass where it enters main/, and its response's schema. */
export interface RequestSpec<Q extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  request: Q;
  response: R;
}

export function request<Q extends z.ZodType, R extends z.ZodType>(req: Q, res: R): RequestSpec<Q, R> {
  return { request: req, response: res };
}
