import type { jobsRequests } from '../../../common/contract/jobs';
import type { Handlers } from '../table';

export const jobsHandlers: Handlers<keyof typeof jobsRequests> = {
  'jobs.list': async (_req, ctx) => ctx.jobs.list(),
  'jobs.get': async (req, ctx) => ctx.jobs.get(req.id),
  'jobs.cancel': async (req, ctx) => ({ cancelled: ctx.jobs.cancel(req.id) }),
};
