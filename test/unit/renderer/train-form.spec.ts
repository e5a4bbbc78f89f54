import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { presetConfig, presets } from '../../../common/train/presets';
import type { BackendInfo } from '../../../common/contract/system';
import TrainForm from '../../../renderer/src/components/TrainForm.svelte';

const backends: BackendInfo[] = [
  { name: 'tensorflow-gpu', available: false, reason: 'no CUDA' },
  { name: 'webgpu', available: true, software: true, device: 'llvmpipe' },
  { name: 'tensorflow', available: false, reason: 'not installed' },
  { name: 'wasm', available: true, device: 'XNNPACK' },
  { name: 'cpu', available: true, device: 'JS' },
];

function setup() {
  const onstart = vi.fn();
  const r = render(TrainForm, { props: { presets, backends, onstart } });
  return { ...r, onstart };
}

afterEach(cleanup);

const start = () => screen.getByTestId('start') as HTMLButtonElement;

describe('TrainForm', () => {
  it('shows every field with its unit and help text from the schema', () => {
    setup();
    const batch = screen.getByLabelText(/Batch size/);
    expect(batch.closest('[data-field]')!.textContent).toMatch(
      /\(images\).*Images per optimiser step.*2 – 4096/s,
    );
    expect(screen.getByLabelText(/Learning rate/).closest('[data-field]')!.textContent).toMatch(
      /\(per step\)/,
    );
    expect((batch as HTMLInputElement).value).toBe(String(presets.smoke.config.batchSize)); // the default preset
  });

  it('starts with exactly the config main/ builds from the preset', async () => {
    const { onstart } = setup();
    await fireEvent.click(start());
    expect(onstart).toHaveBeenCalledWith(presetConfig('smoke'), 'smoke');
  });

  it('explains invalid values inline and blocks Start until they are fixed', async () => {
    const { onstart } = setup();
    const batch = screen.getByTestId('field-batchSize');
    await fireEvent.input(batch, { target: { value: '1' } });
    expect(screen.getByTestId('error-batchSize').textContent).toBe('Must be at least 2.');
    expect(batch.getAttribute('aria-invalid')).toBe('true');
    expect(start().disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('field-synthetic.classes'), { target: { value: 'many' } });
    expect(screen.getByTestId('error-synthetic.classes').textContent).toBe('Enter a number.');
    expect(screen.getByTestId('form-invalid').textContent).toBe('2 fields to fix');
    await fireEvent.submit(screen.getByTestId('train-form'));
    expect(onstart).not.toHaveBeenCalled();

    await fireEvent.input(batch, { target: { value: '6' } });
    await fireEvent.input(screen.getByTestId('field-synthetic.classes'), { target: { value: '6' } });
    expect(screen.queryByTestId('form-invalid')).toBeNull();
    await fireEvent.click(start());
    expect(onstart).toHaveBeenCalledWith(
      presetConfig('smoke', { batchSize: 6, synthetic: { classes: 6 } }),
      'smoke',
    );
  });

  it('switches presets, hides fields that do not apply and offers only loadable backends', async () => {
    const { onstart } = setup();
    await fireEvent.change(screen.getByTestId('preset'), { target: { value: 'quick' } });
    expect(screen.queryByTestId('field-synthetic.classes')).toBeNull(); // CIFAR-100: no synthetic options
    expect(screen.queryByTestId('field-milestones')).toBeNull(); // cosine schedule
    const backend = screen.getByLabelText(/Backend/) as HTMLSelectElement;
    const disabled = [...backend.options].filter((o) => o.disabled).map((o) => o.value);
    expect(disabled).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(backend.options[0].textContent).toBe('auto (wasm)'); // software webgpu is never auto
    await fireEvent.click(start());
    expect(onstart).toHaveBeenCalledWith(presetConfig('quick'), 'quick');
  });
});
