// The OOD page's opening choice: the newest run with results (not a run still training without any), and the ready
// benchmark OOD sets ticked rather than only the synthetic one. Checked on the helpers and on the page itself, with
// the API answered by a fake.
import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunManifest } from '../../../common/contract/runs';
import { ood as oodFixture } from '../common/charts/fixtures';
import { addedFrom, datasetInfo } from '../../helpers/datasets';

const withResults = new Set<string>();
const configs: Record<string, string> = {};
vi.mock('../../../renderer/src/lib/api', () => ({
  api: {
    invoke: vi.fn(async (channel: string, req: { runId?: string; id?: string }) => {
      if (channel === 'ood.results') {
        if (withResults.has(req.runId ?? '')) return { ...oodFixture, runId: req.runId };
        throw Object.assign(new Error('no results'), { code: 'not_found' });
      }
      if (channel === 'runs.get')
        return { checkpoints: ['best', 'last'], config: { dataset: configs[req.id ?? ''] ?? 'cifar100' } };
      throw Object.assign(new Error('none'), { code: 'not_found' });
    }),
    on: () => () => {},
  },
}));

const { defaultOodSets, pickOodRun } = await import('../../../renderer/src/lib/ood-defaults');
const { default: Ood } = await import('../../../renderer/src/pages/Ood.svelte');
const { datasets } = await import('../../../renderer/src/lib/stores/datasets.svelte');
const { setRuns } = await import('../../../renderer/src/lib/stores/runs.svelte');
const { ui } = await import('../../../renderer/src/lib/stores/ui.svelte');

const run = (id: string, createdAt: string, state: RunManifest['state'], epochsDone: number) =>
  ({
    id,
    name: 'quick',
    state,
    createdAt,
    updatedAt: createdAt,
    epochs: 16,
    epochsDone,
    bestEpoch: epochsDone,
    bestTestAcc: 0.5,
  }) as RunManifest;

const offered = [
  datasetInfo('cifar10', 'id', { group: 'near' }),
  datasetInfo('svhn', 'ood', { group: 'far' }),
  datasetInfo('dtd', 'ood', { group: 'far' }),
  datasetInfo('synthetic-ood', 'ood'),
  datasetInfo('crawl', 'ood', { custom: addedFrom }),
];
const ids = (s: Set<string>) => [...s].sort();

afterEach(() => {
  cleanup();
  withResults.clear();
  ui.oodRunId = null;
});

describe('pickOodRun', () => {
  const list = [
    run('c-training', '2026-03', 'running', 4),
    run('b-evaluated', '2026-02', 'done', 16),
    run('a-old', '2026-01', 'done', 16),
  ];
  it('skips a run still training without results for the newest with results', async () => {
    const asked: string[] = [];
    const has = async (id: string) => (asked.push(id), id === 'b-evaluated');
    expect(await pickOodRun(list, has)).toBe('b-evaluated');
    expect(asked).toEqual(['c-training', 'b-evaluated']);
  });
  it('without results anywhere: the newest finished run, else the newest with a checkpoint', async () => {
    expect(await pickOodRun(list, async () => false)).toBe('b-evaluated');
    expect(await pickOodRun([list[0], run('z', '2026-04', 'running', 0)], async () => false)).toBe(
      'c-training',
    );
    expect(await pickOodRun([run('z', '2026-04', 'running', 0)], async () => true)).toBeNull();
  });
  it('the newest run with results wins even while it trains again', async () => {
    expect(await pickOodRun(list, async (id) => id !== 'a-old')).toBe('c-training');
  });
});

describe('defaultOodSets', () => {
  it('CIFAR-100 model: its near and far sets that are ready, not the synthetic or an added set', () => {
    expect(ids(defaultOodSets(offered, 'cifar100'))).toEqual(['cifar10', 'dtd', 'svhn']);
  });
  it('CIFAR-10 model: never its own ID set', () => {
    expect(ids(defaultOodSets(offered, 'cifar10'))).toEqual(['dtd', 'svhn']);
  });
  it('a model on the user’s own set: the ready real OOD sets', () => {
    expect(ids(defaultOodSets(offered, 'my-photos'))).toEqual(['dtd', 'svhn']);
  });
  it('a synthetic model, or no real set ready: the synthetic OOD set', () => {
    expect(ids(defaultOodSets(offered, 'synthetic'))).toEqual(['synthetic-ood']);
    expect(ids(defaultOodSets(offered.slice(3), 'cifar100'))).toEqual(['synthetic-ood']);
  });
});

describe('the OOD page', () => {
  it('opens on the newest run with results, with the benchmark sets ticked', async () => {
    withResults.add('b-evaluated');
    setRuns([
      run('c-training', '2026-03', 'running', 4),
      run('b-evaluated', '2026-02', 'done', 16),
      run('a-old', '2026-01', 'done', 16),
    ]);
    datasets.list = offered;
    datasets.loaded = true;
    render(Ood);
    await waitFor(() =>
      expect((screen.getByTestId('run-picker') as HTMLSelectElement).value).toBe('b-evaluated'),
    );
    await waitFor(() => expect((screen.getByTestId('ood-set-svhn') as HTMLInputElement).checked).toBe(true));
    expect((screen.getByTestId('ood-set-dtd') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('ood-set-cifar10') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('ood-set-synthetic-ood') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('ood-set-crawl') as HTMLInputElement).checked).toBe(false);
  });
});
