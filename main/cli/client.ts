// What a command works with: the contract's typed client (the same OodlabApi the UI has, here over the API and the
// event bus in this process), the data folder, and the job manager its jobs are waited on. No command calls a
// channel by a raw string or casts what comes back: a contract change fails to compile here as in the UI.
import type { z } from 'zod';
import type { Channel, OodlabApi, RequestOf, ResponseOf } from '../../common/contract';
import { createClient } from '../../common/contract/client';
import type { JobInfo } from '../../common/contract/jobs';
import { createRuntime, type Runtime } from '../runtime';

export type CliRuntime = Omit<Runtime, 'api' | 'bus'> & { api: OodlabApi };

/** The typed client over a runtime's API (envelopes) and event bus. */
export function clientOf(rt: Pick<Runtime, 'api' | 'bus'>): OodlabApi {
  return createClient({
    request: (channel, req) => rt.api.call(channel, req),
    listen: (listener) => rt.bus.subscribe(listener),
  });
}

export function cliRuntime(home?: string): CliRuntime {
  const rt = createRuntime({ mode: 'browser', home });
  return { ctx: rt.ctx, jobs: rt.jobs, api: clientOf(rt) };
}

/** A finished job's result, checked against its schema from the contract (as the UI's export panel does). */
export function resultOf<S extends z.ZodType>(job: JobInfo, schema: S): z.output<S> {
  return schema.parse(job.result);
}

/**
 * A request as a command line (or a config file) gives it: the channel's own keys, checked here, with any string
 * where the contract has a choice and any value where it has a list or an object. Main checks every value against the
 * channel's schema and refuses a wrong one with the message the UI gets.
 */
export type FromArgs<T> = { [K in keyof T]: Arg<T[K]> };
type Arg<V> = V extends string ? string : V extends object ? unknown : V;

export function invokeArgs<C extends Channel>(
  api: OodlabApi,
  channel: C,
  req: FromArgs<RequestOf<C>>,
): Promise<ResponseOf<C>> {
  return api.invoke(channel, req as RequestOf<C>);
}
