// A failed step of `oodlab pipeline` stops only the steps that need it: OOD and Neural Collapse each need training
// only, export needs a trained run and writes what exists; the pipeline ends non-zero naming the failed step. Checked
// on the step runner, and on the command itself with its stages replaced by fakes (the real stages are exercised end to
// end by test/integration/pipeline.spec.ts).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { failureLine, runPlan, type PipelineStep } from '../../../main/cli/pipeline-plan';

const calls: string[] = [];
const fail = new Set<string>();
const fake = (name: string, value?: unknown) => async (): Promise<unknown> => {
  calls.push(name);
  if (fail.has(name)) throw new Error(`${name} broke`);
  return value;
};

vi.mock('../../../main/cli/pipeline-steps', () => ({
  ensureDatasets: (...a: unknown[]) => fake('data')(...(a as [])),
  ensureTrained: (...a: unknown[]) => fake('training', { id: 'run-1' })(...(a as [])),
  ensureOod: (...a: unknown[]) => fake('ood')(...(a as [])),
  ensureNc: (...a: unknown[]) => fake('nc')(...(a as [])),
}));
vi.mock('../../../main/cli/commands/export', () => ({
  runExport: vi.fn(async () => {
    calls.push('export');
    return fail.has('export') ? null : { figures: [], dir: '/tmp/x' };
  }),
}));
vi.mock('../../../main/cli/pipeline-table', () => ({ pipelineTable: () => 'TABLE' }));
vi.mock('../../../main/runtime', () => ({
  createRuntime: () => ({
    ctx: { home: '/tmp/oodlab-home' },
    jobs: { list: () => [] },
    // The requests the command makes itself (report.summary), answered with an empty envelope.
    api: {
      call: vi.fn(async (channel: string) => {
        calls.push(channel);
        return { result: {} };
      }),
    },
    bus: { subscribe: () => () => undefined },
  }),
}));

const { pipeline } = await import('../../../main/cli/commands/pipeline');

async function runPipeline() {
  const out: string[] = [];
  const err: string[] = [];
  const code = await pipeline.run(['--preset', 'smoke', '--dataset', 'synthetic'], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    tty: false,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeEach(() => {
  calls.length = 0;
  fail.clear();
});

describe('runPlan', () => {
  const step = (name: string, needs: string[] = []): PipelineStep => ({
    name,
    needs,
    run: async () => void (await fake(name)()),
  });
  const hooks = { before: () => {}, stopping: () => false, report: () => {} };

  it('runs every step whose needs succeeded, skips those whose needs failed, in order', async () => {
    fail.add('b');
    const o = await runPlan(
      [step('a'), step('b', ['a']), step('c', ['b']), step('d', ['a']), step('e', ['c', 'd'])],
      hooks,
    );
    expect(calls).toEqual(['a', 'b', 'd']);
    expect(o.map((x) => `${x.name}:${x.state}`)).toEqual([
      'a:done',
      'b:failed',
      'c:skipped',
      'd:done',
      'e:skipped',
    ]);
    expect(o[1].reason).toBe('b broke');
    expect(o[4].reason).toBe('needs c, which did not succeed');
    expect(failureLine(o)).toMatch(/^pipeline: 1 step failed: b \(b broke\); not run: c, e\./);
    expect(failureLine(o.filter((x) => x.state === 'done'))).toBeNull();
  });

  it('a stop is no failure: it ends the plan at once', async () => {
    fail.add('a');
    await expect(runPlan([step('a'), step('b')], { ...hooks, stopping: () => true })).rejects.toThrow(
      'a broke',
    );
    expect(calls).toEqual(['a']);
  });
});

describe('oodlab pipeline with a failing step', () => {
  it('runs everything and exits 0 when nothing fails', async () => {
    const r = await runPipeline();
    expect(r.code).toBe(0);
    expect(calls).toEqual(['data', 'training', 'ood', 'nc', 'export', 'report.summary']);
    expect(r.out).toContain('TABLE');
    expect(r.out).toContain('Done in');
  });

  it('a failed Neural Collapse still exports (with the OOD results) and exits 1 naming it', async () => {
    fail.add('nc');
    const r = await runPipeline();
    expect(r.code).toBe(1);
    expect(calls).toEqual(['data', 'training', 'ood', 'nc', 'export', 'report.summary']);
    expect(r.out).toContain('[5/5] Export');
    expect(r.out).toContain('TABLE');
    expect(r.err).toMatch(/pipeline: 1 step failed: Neural Collapse \(nc broke\)/);
    expect(r.out).not.toContain('Done in');
  });

  it('a failed OOD step still runs Neural Collapse and export', async () => {
    fail.add('ood');
    const r = await runPipeline();
    expect(r.code).toBe(1);
    expect(calls).toEqual(['data', 'training', 'ood', 'nc', 'export', 'report.summary']);
    expect(r.err).toMatch(/1 step failed: OOD \(ood broke\)/);
  });

  it('both failing are both named', async () => {
    fail.add('ood');
    fail.add('nc');
    const r = await runPipeline();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/2 steps failed: OOD \(ood broke\); Neural Collapse \(nc broke\)/);
  });

  it('a failed training skips everything after it and names it', async () => {
    fail.add('training');
    const r = await runPipeline();
    expect(r.code).toBe(1);
    expect(calls).toEqual(['data', 'training']);
    expect(r.err).toMatch(
      /1 step failed: training \(training broke\); not run: OOD, Neural Collapse, export/,
    );
  });

  it('a failed export is named too', async () => {
    fail.add('export');
    const r = await runPipeline();
    expect(r.code).toBe(1);
    expect(calls).toEqual(['data', 'training', 'ood', 'nc', 'export']);
    expect(r.err).toMatch(/1 step failed: export/);
  });
});
