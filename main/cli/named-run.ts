// The training stage of `oodlab pipeline --run-id ID`, as a cluster task runs it: the run has a fixed id, so a task
// that SLURM starts again (requeued after a pre-emption or near its time limit) finds the run it left and resumes it
// from its checkpoint instead of starting another. A run left 'running' by a task killed on another node is taken
// over: SLURM runs one instance of an array task at a time, so that owner is gone.
import type { RunManifest } from '../../common/contract/runs';
import type { TrainConfig } from '../../common/contract/train';
import { updateManifest } from '../engine/runs/store';
import type { CliRuntime } from './client';
import type { CliIO } from './io';
import { configKey, ifExists } from './pipeline-steps';
import { watchTraining } from './train-watch';

export async function ensureNamedRun(
  rt: CliRuntime,
  io: CliIO,
  config: TrainConfig,
  name: string,
  runId: string,
): Promise<RunManifest> {
  const d = await ifExists(rt.api.invoke('runs.get', { id: runId }));
  let started;
  if (!d) {
    started = await rt.api.invoke('train.start', { config, name, runId });
    io.out(`  new run ${runId}`);
  } else {
    if (configKey(d.config) !== configKey(config))
      throw new Error(`Run ${runId} exists with another config; refusing to mix two experiments in one run.`);
    if (d.manifest.state === 'done') {
      io.out(`  reusing run ${runId} (${d.manifest.epochsDone} epochs done)`);
      return d.manifest;
    }
    if (d.manifest.state === 'running' && process.env.SLURM_JOB_ID) {
      io.out(
        `  run ${runId} was left running by ${d.manifest.owner?.host ?? 'another process'}: taking it over`,
      );
      await updateManifest(rt.ctx.home, runId, { state: 'cancelled', owner: undefined });
    }
    started = await rt.api.invoke('train.resume', { runId, backend: config.backend });
    io.out(`  resuming run ${runId} after epoch ${d.manifest.epochsDone}`);
  }
  const end = await watchTraining(rt, io, started.job, started.runId);
  if (end.state !== 'done') throw new Error(`training ${end.state}: ${end.error?.message ?? ''}`);
  return (await rt.api.invoke('runs.get', { id: runId })).manifest;
}
