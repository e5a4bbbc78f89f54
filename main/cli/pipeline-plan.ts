// The order and the dependencies of `oodlab pipeline`'s steps: a failed step stops only the steps that need it
// (training needs the data; OOD and Neural Collapse each need training only; export needs a trained run and writes
// whatever results exist), so a Neural Collapse that fails still leaves the OOD results and the export. The pipeline
// then ends non-zero naming every failed step. A stop (Ctrl-C, SIGTERM/SIGUSR1) is not a failure: it ends the
// pipeline at once, since every step leaves a state the same command resumes.

export interface PipelineStep {
  name: string;
  /** Names of the steps that must have succeeded before this one runs. */
  needs: string[];
  run(): Promise<void>;
}

export interface StepOutcome {
  name: string;
  state: 'done' | 'failed' | 'skipped';
  /** The error of a failed step, or which needed step failed for a skipped one. */
  reason?: string;
}

export interface PlanHooks {
  /** Called before each step that runs (prints its title); may throw to stop the pipeline (a stop signal). */
  before(step: PipelineStep): void;
  /** True when a failure is really a stop (Ctrl-C, a stop signal): rethrown, ending the pipeline at once. */
  stopping(): boolean;
  /** A step failed or was skipped: tell the user now, not only at the end. */
  report(o: StepOutcome): void;
}

/** Runs the steps in order; resolves to each step's outcome. Throws only for a stop. */
export async function runPlan(steps: PipelineStep[], h: PlanHooks): Promise<StepOutcome[]> {
  const out: StepOutcome[] = [];
  const state = new Map<string, StepOutcome['state']>();
  for (const step of steps) {
    const missing = step.needs.filter((n) => state.get(n) !== 'done');
    if (missing.length) {
      const o: StepOutcome = {
        name: step.name,
        state: 'skipped',
        reason: `needs ${missing.join(', ')}, which did not succeed`,
      };
      state.set(step.name, o.state);
      out.push(o);
      h.report(o);
      continue;
    }
    h.before(step);
    try {
      await step.run();
      state.set(step.name, 'done');
      out.push({ name: step.name, state: 'done' });
    } catch (err) {
      if (h.stopping()) throw err;
      const o: StepOutcome = { name: step.name, state: 'failed', reason: (err as Error).message };
      state.set(step.name, o.state);
      out.push(o);
      h.report(o);
    }
  }
  return out;
}

/** The closing line for a pipeline with failed steps, or null when none failed. */
export function failureLine(outcomes: StepOutcome[]): string | null {
  const failed = outcomes.filter((o) => o.state === 'failed');
  if (!failed.length) return null;
  const skipped = outcomes.filter((o) => o.state === 'skipped');
  return (
    `pipeline: ${failed.length} step${failed.length > 1 ? 's' : ''} failed: ` +
    failed.map((o) => `${o.name} (${o.reason ?? 'no message'})`).join('; ') +
    (skipped.length ? `; not run: ${skipped.map((o) => o.name).join(', ')}` : '') +
    '. Fix the cause and run the same command again: what is done is kept.'
  );
}
