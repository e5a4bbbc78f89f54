import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { datasetsRequests } from '../../../common/contract/datasets';
import { OodlabError } from '../../../common/contract/errors';
import { datasetDir, manifestPath } from '../../engine/data/cache';
import type { AddParams } from '../../engine/data/custom/add-task';
import { customIdOf } from '../../engine/data/custom/meta';
import type { DownloadParams } from '../../engine/data/download-task';
import { datasetSpec, downloadableIds, type DatasetId } from '../../engine/data/registry';
import { samplesFor } from '../../engine/data/samples';
import { datasetStatus, listDatasets } from '../../engine/data/status';
import type { ApiContext } from '../context';
import type { Handlers } from '../table';

/** Which sets each download job of this process is working on (a listing shows them as 'downloading'). */
const jobSets = new WeakMap<ApiContext, Map<string, DatasetId[]>>();

function activeSets(ctx: ApiContext): Set<string> {
  const jobs = jobSets.get(ctx) ?? new Map<string, DatasetId[]>();
  jobSets.set(ctx, jobs);
  const active = new Set<string>();
  for (const [jobId, ids] of jobs) {
    if (ctx.jobs.get(jobId).state === 'running') ids.forEach((id) => active.add(id));
    else jobs.delete(jobId);
  }
  return active;
}

export const datasetsHandlers: Handlers<keyof typeof datasetsRequests> = {
  'datasets.list': async (req, ctx) =>
    listDatasets(ctx.home, { verify: req.verify, active: activeSets(ctx) }),

  'datasets.download': async (req, ctx) => {
    const ids = req.id === 'all' ? [...downloadableIds] : [req.id];
    const busy = ids.filter((id) => activeSets(ctx).has(id));
    if (busy.length) throw new OodlabError('conflict', `${busy.join(', ')} is already being downloaded.`);
    if (req.from !== undefined) {
      if (req.id === 'all')
        throw new OodlabError('invalid_request', 'A file to import (from) belongs to one data set, not all.');
      if (!isAbsolute(req.from) || !existsSync(req.from))
        throw new OodlabError('invalid_request', `No file at ${req.from} (give an absolute path).`);
    }
    const params: DownloadParams = {
      ids,
      from: req.from,
      verify: req.verify,
      mirror: req.mirror,
      proxy: req.proxy,
      prune: req.prune ?? false,
    };
    const title = `Download ${ids.map((id) => datasetSpec(id).name).join(', ')}`;
    const info = ctx.jobs.start({ kind: 'datasets.download', title, params });
    activeSets(ctx);
    jobSets.get(ctx)!.set(info.id, ids);
    for (const id of ids) ctx.bus.emit('datasets.changed', { id, status: 'downloading' });
    return info;
  },

  'datasets.delete': async (req, ctx) => {
    if (activeSets(ctx).has(req.id))
      throw new OodlabError('conflict', `${req.id} is being downloaded: cancel that job first.`);
    const before = await datasetStatus(ctx.home, req.id);
    await rm(datasetDir(ctx.home, req.id), { recursive: true, force: true });
    ctx.bus.emit('datasets.changed', { id: req.id, status: 'missing' });
    return { deleted: before.sizeOnDisk > 0, freedBytes: before.sizeOnDisk };
  },

  'datasets.add': async (req, ctx) => {
    for (const p of [req.path, req.labels].filter((x): x is string => x !== undefined))
      if (!isAbsolute(p) || !existsSync(p))
        throw new OodlabError('invalid_request', `Nothing at ${p} (give an absolute path).`);
    const id = customIdOf(req.name);
    if (existsSync(manifestPath(ctx.home, id)))
      throw new OodlabError(
        'conflict',
        `A data set '${id}' exists already: remove it or choose another name.`,
      );
    const params: AddParams = { ...req, size: 32, seed: req.seed ?? 0, trainFraction: 0.8 };
    return ctx.jobs.start({ kind: 'datasets.add', title: `Add data set ${req.name}`, params });
  },

  'datasets.samples': async (req, ctx) => samplesFor(ctx.home, req),
};
