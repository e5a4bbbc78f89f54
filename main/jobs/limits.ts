// How many jobs of each kind run at once on this machine. Twenty jobs submitted together took 2 GB and 192 threads:
// each worker loads a backend with its own thread pool, and two trainings on one CPU are each slower than one.
// Jobs beyond the limit wait in a queue, shown as 'queued', and start in order as slots free up.
// Default: one training and one analysis (features, OOD, NC, export) at a time; downloads and the rest unlimited.
// OODLAB_JOB_LIMITS="training=1,analysis=2" (or the runtime option) changes them.
import type { JobKind } from '../../common/contract/jobs';

export type SlotClass = 'training' | 'analysis' | JobKind;
export type JobLimits = Partial<Record<SlotClass, number>>;

export const DEFAULT_LIMITS: JobLimits = { training: 1, analysis: 1 };

export function slotOf(kind: JobKind): SlotClass {
  if (kind === 'train') return 'training';
  if (kind === 'features' || kind === 'ood' || kind === 'nc' || kind === 'export') return 'analysis';
  return kind;
}

/** Parses "training=1,analysis=2"; throws on anything else, so a typo is not silently ignored. */
export function parseLimits(text: string | undefined): JobLimits {
  if (!text?.trim()) return {};
  const out: JobLimits = {};
  for (const part of text.split(',')) {
    const m = /^\s*([a-z.]+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m || Number(m[2]) < 1)
      throw new Error(
        `OODLAB_JOB_LIMITS: '${part.trim()}' is not CLASS=N with N >= 1 (e.g. training=1,analysis=2).`,
      );
    out[m[1] as SlotClass] = Number(m[2]);
  }
  return out;
}

export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): JobLimits {
  // Inside a SLURM job, SLURM is the scheduler: it gave this task its CPUs, and array tasks sharing a node must not
  // queue behind each other on a per-machine limit (OODLAB_JOB_LIMITS still applies when set).
  if (env.SLURM_JOB_ID && !env.OODLAB_JOB_LIMITS) return {};
  return { ...DEFAULT_LIMITS, ...parseLimits(env.OODLAB_JOB_LIMITS) };
}
