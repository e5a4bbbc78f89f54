import type { Channel, Envelope } from '../../common/contract';
import { isChannel, requests, toErrorBody, OodlabError } from '../../common/contract';
import type { ApiContext } from './context';
import type { Handlers } from './table';
import { systemHandlers } from './handlers/system';
import { jobsHandlers } from './handlers/jobs';
import { datasetsHandlers } from './handlers/datasets';
import { trainHandlers } from './handlers/train';
import { runsHandlers } from './handlers/runs';
import { oodHandlers } from './handlers/ood';
import { ncHandlers } from './handlers/nc';
import { reportHandlers } from './handlers/report';
import { clusterHandlers } from './handlers/cluster';
import { modelsHandlers } from './handlers/models';

/** The whole table: the compiler checks that every channel of the contract has exactly one handler. */
export const handlers: Handlers<Channel> = {
  ...systemHandlers,
  ...jobsHandlers,
  ...datasetsHandlers,
  ...trainHandlers,
  ...runsHandlers,
  ...oodHandlers,
  ...ncHandlers,
  ...reportHandlers,
  ...clusterHandlers,
  ...modelsHandlers,
};

export interface Api {
  /** Validates the request with its schema, runs the handler, and answers an envelope; it never throws. */
  call(channel: string, payload: unknown): Promise<Envelope<unknown>>;
}

export function createApi(ctx: ApiContext): Api {
  return {
    async call(channel, payload) {
      try {
        if (!isChannel(channel)) throw new OodlabError('unknown_channel', `Unknown channel '${channel}'.`);
        const parsed = requests[channel].request.safeParse(payload ?? {});
        if (!parsed.success) {
          const issues = parsed.error.issues
            .map((i) => `${i.path.length ? i.path.join('.') : '(request)'}: ${i.message}`)
            .join('; ');
          throw new OodlabError('invalid_request', `Invalid request for ${channel}: ${issues}`);
        }
        const handler = handlers[channel] as (req: unknown, ctx: ApiContext) => Promise<unknown>;
        return { result: await handler(parsed.data, ctx) };
      } catch (err) {
        return { error: toErrorBody(err) };
      }
    },
  };
}

export type { ApiContext };
