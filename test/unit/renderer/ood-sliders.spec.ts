// The OOD page's sliders: one group per tunable method that was evaluated, and moving one re-scores that method
// alone (the re-score request carries only its own parameters). The table lists methods under their four groups.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import OodSliders from '../../../renderer/src/components/OodSliders.svelte';
import OodTable from '../../../renderer/src/components/OodTable.svelte';
import { ood } from '../common/charts/fixtures';

afterEach(cleanup);

const methods: { method: string; label: string; params: Record<string, number> }[] = [
  { method: 'msp', label: 'MSP', params: {} },
  { method: 'energy', label: 'Energy', params: { T: 1 } },
  { method: 'gen', label: 'GEN', params: { genGamma: 0.1, genM: 100 } },
  { method: 'knn', label: 'KNN', params: { knnK: 50 } },
];

describe('OodSliders', () => {
  it('shows the tunable methods only, and a moved slider re-scores its own method alone', async () => {
    const onrescore = vi.fn();
    render(OodSliders, {
      props: { methods, dim: 512, classes: 100, idTrain: 50000, busy: false, onrescore },
    });
    const groups = screen.getByTestId('ood-sliders').querySelectorAll('fieldset');
    expect(Array.from(groups, (g) => g.getAttribute('data-method'))).toEqual(['energy', 'gen', 'knn']);
    const k = screen.getByLabelText('KNN neighbour K') as HTMLInputElement;
    expect(k.value).toBe('50');
    await fireEvent.input(k, { target: { value: '200' } });
    await fireEvent.change(k);
    expect(onrescore).toHaveBeenLastCalledWith({ knnK: 200 });
    const gamma = screen.getByLabelText('GEN gamma') as HTMLInputElement;
    await fireEvent.input(gamma, { target: { value: '2' } });
    await fireEvent.change(gamma);
    expect(onrescore).toHaveBeenLastCalledWith({ genGamma: 2, genM: 100 });
  });
});

describe('OodTable', () => {
  it('lists the methods under their group headings', () => {
    render(OodTable, { props: { results: ood, method: 'energy', dataset: 'svhn', onpick: () => {} } });
    const bodies = screen.getByTestId('ood-table').querySelectorAll('tbody[data-group]');
    expect(Array.from(bodies, (b) => b.getAttribute('data-group'))).toEqual(['logit']);
    expect(bodies[0].querySelector('tr.group')!.textContent).toMatch(/Logit-based/);
  });
});
