// The Train form's Dataset choice: the built-in ID sets (a missing one marked), the ID sets the user added once
// ready, never an OOD set; picking an added set starts a config that trains on it.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DatasetInfo } from '../../../common/contract/datasets';
import { presets } from '../../../common/train/presets';
import TrainForm from '../../../renderer/src/components/TrainForm.svelte';
import { datasets } from '../../../renderer/src/lib/stores/datasets.svelte';
import { addedFrom, datasetInfo } from '../../helpers/datasets';

const set = (
  id: string,
  role: 'id' | 'ood',
  status: DatasetInfo['status'],
  extra: Partial<DatasetInfo> = {},
) => datasetInfo(id, role, { status, ...extra });
const custom = addedFrom;

afterEach(cleanup);

describe('TrainForm data sets', () => {
  it('offers the ID sets and trains on an added one', async () => {
    datasets.list = [
      set('cifar100', 'id', 'ready'),
      set('cifar10', 'id', 'missing'),
      set('svhn', 'ood', 'ready'),
      set('synthetic', 'id', 'ready'),
      set('my-pets', 'id', 'ready', { custom }),
      set('half-done', 'id', 'corrupt', { custom }),
      set('crawl', 'ood', 'ready', { custom }),
    ];
    datasets.loaded = true;
    const onstart = vi.fn();
    render(TrainForm, { props: { presets, backends: [], onstart } });
    const select = screen.getByLabelText(/Dataset/) as HTMLSelectElement;
    const options = [...select.options].map((o) => [o.value, o.textContent?.trim()]);
    expect(options).toEqual([
      ['cifar100', 'CIFAR100'],
      ['cifar10', 'CIFAR10 (not downloaded)'],
      ['synthetic', 'SYNTHETIC'],
      ['my-pets', 'MY-PETS'],
    ]);
    await fireEvent.change(select, { target: { value: 'my-pets' } });
    await fireEvent.click(screen.getByTestId('start'));
    expect(onstart.mock.calls[0][0].dataset).toBe('my-pets');
    expect(onstart.mock.calls[0][0].synthetic).toBeUndefined();
  });
});
