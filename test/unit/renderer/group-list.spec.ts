import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GroupStatus, GroupSummary } from '../../../common/contract/cluster';
import { SlurmOptions } from '../../../common/contract/cluster';
import { presetConfig } from '../../../common/train/presets';

// The Runs page's cluster section: groups from 'cluster.groups', their tasks' states, and a pushed 'cluster.update'
// changing the page without a reload (what makes browser mode on a login node a live dashboard).
const base = (
  state: GroupStatus['state'],
  taskStates: GroupStatus['state'][],
  summary: GroupSummary | null,
): GroupStatus => ({
  group: {
    version: 1,
    id: 'g-1',
    name: 'paper',
    createdAt: '2026-11-29T00:00:00.000Z',
    preset: 'paper',
    config: presetConfig('paper'),
    tasks: [0, 1].map((seed, index) => ({ index, seed, runId: `g-1-s${seed}` })),
    slurm: SlurmOptions.parse({}),
    home: '/shared',
    command: 'oodlab',
    jobId: '77',
    submittedAt: '2026-11-29T00:00:01.000Z',
  },
  state,
  tasks: taskStates.map((s, index) => ({
    index,
    seed: index,
    runId: `g-1-s${index}`,
    slurmId: `77_${index}`,
    state: s,
    slurmState: s.toUpperCase(),
    reason: null,
    restarts: s === 'requeued' ? 1 : 0,
    run: { state: 'running', epochs: 200, epochsDone: 10 + index, bestTestAcc: 0.5 },
    logTail: null,
  })),
  slurm: null,
  summary,
});

const stat = (values: number[]) => {
  const mean = (values[0] + values[1]) / 2;
  return { mean, std: Math.abs(values[0] - values[1]) / Math.SQRT2, n: 2, values };
};
const summary: GroupSummary = {
  version: 1,
  groupId: 'g-1',
  createdAt: '2026-11-29T01:00:00.000Z',
  stdConvention: 'n-1',
  seeds: [0, 1],
  runs: ['g-1-s0', 'g-1-s1'],
  training: { finalTestAcc: stat([0.7, 0.8]), bestTestAcc: stat([0.72, 0.8]) },
  curves: { epochs: [], testAcc: [], trainLoss: [] },
  ood: [],
  oodGroups: [],
  nc: { nc1: stat([2, 4]) },
};

const fakeApi = vi.hoisted(() => ({ listeners: new Map<string, (p: unknown) => void>() }));
vi.mock('../../../renderer/src/lib/api', () => ({
  api: {
    invoke: vi.fn(async (channel: string) =>
      channel === 'cluster.groups' ? [base('running', ['running', 'requeued'], null)] : [],
    ),
    on: (channel: string, l: (p: unknown) => void) => (fakeApi.listeners.set(channel, l), () => undefined),
  },
}));

afterEach(cleanup);

describe('GroupList', () => {
  it('lists groups with each task state, follows pushed updates, and shows mean ± std when aggregated', async () => {
    const { default: GroupList } = await import('../../../renderer/src/components/GroupList.svelte');
    const { api } = await import('../../../renderer/src/lib/api');
    const { startLive } = await import('../../../renderer/src/lib/stores/live');
    startLive(api);
    render(GroupList);
    const row = await screen.findByTestId('group-row');
    expect(row.getAttribute('data-state')).toBe('running');
    expect([...row.querySelectorAll('.task [data-state]')].map((e) => e.getAttribute('data-state'))).toEqual([
      'running',
      'requeued',
    ]);

    fakeApi.listeners.get('cluster.update')!(base('completed', ['completed', 'completed'], summary)); // a push
    await waitFor(() => expect(screen.getByTestId('group-row').getAttribute('data-state')).toBe('completed'));
    // 70 % and 80 %: mean 75.00, sample std 7.07
    expect(screen.getByTestId('group-row').textContent).toContain('75.00 ± 7.07 %');

    await fireEvent.click(screen.getByRole('button', { name: 'g-1' }));
    const tasks = screen.getByTestId('group-tasks');
    expect(tasks.querySelectorAll('[data-testid="group-task"]').length).toBe(2);
    expect(screen.getByTestId('group-summary').textContent).toMatch(/nc1\s*3\.0000 ± 1\.4142/);
  });
});
