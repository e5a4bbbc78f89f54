// The cluster channels. Group states change on the cluster, not in this process, so while any group is unfinished
// a poller asks SLURM every few seconds and pushes 'cluster.update' for groups whose state changed: the Runs page
// (in browser mode on a login node, a dashboard of the cluster) stays live without the renderer polling. A group
// that completes is aggregated on the spot, like the last task's own `oodlab aggregate --if-complete`.
import type { clusterRequests, GroupStatus } from '../../../common/contract/cluster';
import { OodlabError } from '../../../common/contract/errors';
import { exportGroup } from '../../engine/cluster/export';
import { listGroups, readGroup } from '../../engine/cluster/group';
import { slurmCommands, type Slurm } from '../../engine/cluster/slurm';
import { groupStatus } from '../../engine/cluster/status';
import { submitGroup } from '../../engine/cluster/submit';
import { aggregateGroup } from '../../engine/cluster/summary';
import type { ApiContext } from '../context';
import type { Handlers } from '../table';

export const POLL_MS = 10_000;
const FINAL = new Set(['completed', 'failed', 'cancelled']);

/** Which SLURM the handlers talk to (tests swap in a fake). */
export const clusterDeps: { slurm: Slurm } = { slurm: slurmCommands };

async function statusWithAggregate(ctx: ApiContext, id: string): Promise<GroupStatus> {
  const s = await groupStatus(ctx.home, await readGroup(ctx.home, id), clusterDeps.slurm);
  if (s.state === 'completed' && !s.summary) {
    const summary = await aggregateGroup(ctx.home, id, ctx.appVersion).catch(() => null);
    return { ...s, summary };
  }
  return s;
}

const pollers = new WeakMap<ApiContext, NodeJS.Timeout>();

/** What changes a user sees; the summary's time stamp is not a change. */
const fingerprint = (s: GroupStatus) =>
  JSON.stringify([
    s.state,
    s.tasks.map((t) => [t.state, t.slurmState, t.reason, t.restarts, t.run]),
    s.summary?.runs,
  ]);

/** One round: groups already final (and aggregated) are not asked again. */
export async function pollOnce(
  ctx: ApiContext,
  last: Map<string, string>,
  finished: Set<string>,
): Promise<void> {
  for (const g of await listGroups(ctx.home)) {
    if (!g.jobId || finished.has(g.id)) continue;
    const s = await statusWithAggregate(ctx, g.id).catch(() => null);
    if (!s) continue;
    if (FINAL.has(s.state) && s.summary) finished.add(g.id);
    const fp = fingerprint(s);
    if (last.get(g.id) !== fp) {
      last.set(g.id, fp);
      ctx.bus.emit('cluster.update', s);
    }
  }
}

function ensurePoller(ctx: ApiContext): void {
  if (pollers.has(ctx)) return;
  const last = new Map<string, string>();
  const finished = new Set<string>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void pollOnce(ctx, last, finished).finally(() => (busy = false));
  }, POLL_MS);
  timer.unref(); // never keeps a CLI process alive
  pollers.set(ctx, timer);
}

export const clusterHandlers: Handlers<keyof typeof clusterRequests> = {
  'cluster.submit': async (req, ctx) => {
    const r = await submitGroup(ctx.home, req, clusterDeps.slurm);
    if (r.submitted) ensurePoller(ctx);
    return r;
  },

  'cluster.groups': async (_req, ctx) => {
    ensurePoller(ctx);
    const out: GroupStatus[] = [];
    for (const g of await listGroups(ctx.home)) out.push(await statusWithAggregate(ctx, g.id));
    return out;
  },

  'cluster.status': async (req, ctx) => statusWithAggregate(ctx, req.id),

  'cluster.cancel': async (req, ctx) => {
    const g = await readGroup(ctx.home, req.id);
    if (!g.jobId) throw new OodlabError('conflict', `Group ${g.id} was never submitted.`);
    await clusterDeps.slurm.cancel(g.jobId);
    return { cancelled: g.jobId };
  },

  'cluster.aggregate': async (req, ctx) => aggregateGroup(ctx.home, req.id, ctx.appVersion),

  'cluster.export': async (req, ctx) =>
    exportGroup(ctx.home, req.id, req.dir, {
      formats: req.formats,
      scale: req.scale,
      appVersion: ctx.appVersion,
    }),
};
