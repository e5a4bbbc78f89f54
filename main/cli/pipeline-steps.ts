// The stages of `oodlab pipeline`, each through the same API channels the UI calls, each skipped when its output
// already exists: datasets that are ready, a finished run with the same config (backend aside: it changes speed,
// not the experiment), OOD and NC results already in the run folder. An unfinished run with the same config is
// resumed rather than restarted.
import type { DatasetInfo } from '../../common/contract/datasets';
import type { JobInfo } from '../../common/contract/jobs';
import type { NcResults } from '../../common/contract/nc';
import type { RunDetail, RunManifest } from '../../common/contract/runs';
import type { BackendChoice } from '../../common/contract/system';
import { TrainConfig } from '../../common/contract/train';
import type { Runtime } from '../runtime';
import { followJob } from './follow-job';
import type { CliIO } from './io';
import { watchTraining } from './train-watch';

/** Calls a channel and unwraps the envelope, or throws its error message. */
export async function call<T>(rt: Runtime, channel: string, req: unknown): Promise<T> {
  const res = await rt.api.call(channel, req);
  if (res.error) throw Object.assign(new Error(res.error.message), { code: res.error.code });
  return res.result as T;
}

async function finished(rt: Runtime, io: CliIO, job: JobInfo, label: string): Promise<JobInfo> {
  const end = await followJob(rt, io, job, label);
  if (end.state !== 'done') throw new Error(`${label.trim()} ${end.state}: ${end.error?.message ?? ''}`);
  return end;
}

/** Canonical JSON of a config without its backend: equal strings = the same experiment. */
export function configKey(config: unknown): string {
  const { backend: _backend, ...rest } = TrainConfig.parse(config);
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(rest));
}

export async function ensureDatasets(
  rt: Runtime,
  io: CliIO,
  config: TrainConfig,
  download = true,
): Promise<void> {
  // CIFAR-10 trains like CIFAR-100 (and is scored against the same two far-OOD sets unless more are downloaded)
  const needed =
    config.dataset === 'cifar100' || config.dataset === 'cifar10' ? [config.dataset, 'svhn', 'dtd'] : [];
  if (!needed.length)
    return io.out(
      config.dataset === 'synthetic'
        ? '  synthetic data: generated from the seed, nothing to download'
        : `  ${config.dataset}: your data set, nothing to download`,
    );
  const list = await call<DatasetInfo[]>(rt, 'datasets.list', {});
  for (const id of needed) {
    if (list.find((d) => d.id === id)?.status === 'ready') {
      io.out(`  ${id}: ready`);
      continue;
    }
    if (!download)
      throw new Error(
        `${id} is not in the data folder's cache and this pipeline may not download (--no-download): ` +
          `run 'oodlab download ${id}' first (on a cluster: on the login node, into the shared data folder).`,
      );
    await finished(rt, io, await call<JobInfo>(rt, 'datasets.download', { id }), `  ${id} `);
    io.out(`  ${id}: downloaded`);
  }
}

/** A run with this config: the newest finished one, else resumes the newest unfinished one, else a new run. */
export async function ensureTrained(
  rt: Runtime,
  io: CliIO,
  config: TrainConfig,
  name: string,
): Promise<RunManifest> {
  const key = configKey(config);
  const runs = await call<RunManifest[]>(rt, 'runs.list', {});
  const same: RunManifest[] = [];
  for (const m of runs) {
    if (m.state === 'running') continue;
    const detail = await call<RunDetail>(rt, 'runs.get', { id: m.id }).catch(() => null);
    if (detail && configKey(detail.config) === key) same.push(m);
  }
  const done = same.find((m) => m.state === 'done');
  if (done) {
    io.out(`  reusing run ${done.id} (same config, ${done.epochsDone} epochs done)`);
    return done;
  }
  const resumable = same[0];
  const started = resumable
    ? await call<{ runId: string; job: JobInfo }>(rt, 'train.resume', {
        runId: resumable.id,
        backend: config.backend,
      })
    : await call<{ runId: string; job: JobInfo }>(rt, 'train.start', { config, name });
  io.out(`  ${resumable ? 'resuming' : 'new'} run ${started.runId}`);
  const end = await watchTraining(rt, io, started.job, started.runId);
  if (end.state !== 'done') throw new Error(`training ${end.state}: ${end.error?.message ?? ''}`);
  return (await call<RunDetail>(rt, 'runs.get', { id: started.runId })).manifest;
}

async function exists(rt: Runtime, channel: string, runId: string): Promise<unknown> {
  try {
    return await call<unknown>(rt, channel, { runId });
  } catch (err) {
    if ((err as { code?: string }).code === 'not_found') return null;
    throw err;
  }
}

export async function ensureOod(
  rt: Runtime,
  io: CliIO,
  runId: string,
  backend: BackendChoice,
): Promise<void> {
  if (await exists(rt, 'ood.results', runId)) return io.out('  ood_results.json: already there');
  await finished(rt, io, await call<JobInfo>(rt, 'ood.evaluate', { runId, backend }), '  ood ');
  io.out('  ood_results.json: written');
}

export async function ensureNc(rt: Runtime, io: CliIO, runId: string, backend: BackendChoice): Promise<void> {
  const prev = (await exists(rt, 'nc.results', runId)) as NcResults | null;
  if (prev && prev.perEpoch.length && prev.layers.length) return io.out('  nc_results.json: already there');
  const job = await call<JobInfo>(rt, 'nc.analyze', { runId, epochs: true, layers: true, backend });
  await finished(rt, io, job, '  nc ');
  io.out('  nc_results.json: written');
}
