// The stages of `oodlab pipeline`, each through the same API channels the UI calls, each skipped when its output
// already exists: datasets that are ready, a finished run with the same config (backend aside: it changes speed,
// not the experiment), OOD and NC results already in the run folder. An unfinished run with the same config is
// resumed rather than restarted.
import type { DownloadableId } from '../../common/contract/datasets';
import { OodlabError } from '../../common/contract/errors';
import type { JobInfo } from '../../common/contract/jobs';
import type { RunManifest } from '../../common/contract/runs';
import type { BackendChoice } from '../../common/contract/system';
import { TrainConfig } from '../../common/contract/train';
import type { CliRuntime } from './client';
import { followJob } from './follow-job';
import type { CliIO } from './io';
import { watchTraining } from './train-watch';

/** What a request answers, or null where main says it does not exist (yet). */
export async function ifExists<T>(answer: Promise<T>): Promise<T | null> {
  try {
    return await answer;
  } catch (err) {
    if (err instanceof OodlabError && err.code === 'not_found') return null;
    throw err;
  }
}

async function finished(rt: CliRuntime, io: CliIO, job: JobInfo, label: string): Promise<JobInfo> {
  const end = await followJob(rt, io, job, { label });
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
  rt: CliRuntime,
  io: CliIO,
  config: TrainConfig,
  download = true,
): Promise<void> {
  // CIFAR-10 trains like CIFAR-100 (and is scored against the same two far-OOD sets unless more are downloaded)
  const needed: DownloadableId[] =
    config.dataset === 'cifar100' || config.dataset === 'cifar10' ? [config.dataset, 'svhn', 'dtd'] : [];
  if (!needed.length)
    return io.out(
      config.dataset === 'synthetic'
        ? '  synthetic data: generated from the seed, nothing to download'
        : `  ${config.dataset}: your data set, nothing to download`,
    );
  const list = await rt.api.invoke('datasets.list', {});
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
    await finished(rt, io, await rt.api.invoke('datasets.download', { id }), `  ${id} `);
    io.out(`  ${id}: downloaded`);
  }
}

/** A run with this config: the newest finished one, else resumes the newest unfinished one, else a new run. */
export async function ensureTrained(
  rt: CliRuntime,
  io: CliIO,
  config: TrainConfig,
  name: string,
): Promise<RunManifest> {
  const key = configKey(config);
  const runs = await rt.api.invoke('runs.list', {});
  const same: RunManifest[] = [];
  for (const m of runs) {
    if (m.state === 'running') continue;
    const detail = await rt.api.invoke('runs.get', { id: m.id }).catch(() => null);
    if (detail && configKey(detail.config) === key) same.push(m);
  }
  const done = same.find((m) => m.state === 'done');
  if (done) {
    io.out(`  reusing run ${done.id} (same config, ${done.epochsDone} epochs done)`);
    return done;
  }
  const resumable = same[0];
  const started = resumable
    ? await rt.api.invoke('train.resume', { runId: resumable.id, backend: config.backend })
    : await rt.api.invoke('train.start', { config, name });
  io.out(`  ${resumable ? 'resuming' : 'new'} run ${started.runId}`);
  const end = await watchTraining(rt, io, started.job, started.runId);
  if (end.state !== 'done') throw new Error(`training ${end.state}: ${end.error?.message ?? ''}`);
  return (await rt.api.invoke('runs.get', { id: started.runId })).manifest;
}

export async function ensureOod(
  rt: CliRuntime,
  io: CliIO,
  runId: string,
  backend: BackendChoice,
): Promise<void> {
  if (await ifExists(rt.api.invoke('ood.results', { runId })))
    return io.out('  ood_results.json: already there');
  await finished(rt, io, await rt.api.invoke('ood.evaluate', { runId, backend }), '  ood ');
  io.out('  ood_results.json: written');
}

export async function ensureNc(
  rt: CliRuntime,
  io: CliIO,
  runId: string,
  backend: BackendChoice,
): Promise<void> {
  const prev = await ifExists(rt.api.invoke('nc.results', { runId }));
  if (prev && prev.perEpoch.length && prev.layers.length) return io.out('  nc_results.json: already there');
  const job = await rt.api.invoke('nc.analyze', { runId, epochs: true, layers: true, backend });
  await finished(rt, io, job, '  nc ');
  io.out('  nc_results.json: written');
}
