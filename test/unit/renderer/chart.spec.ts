import { cleanup, fireEvent, render } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchCurvesOption } from '../../../common/charts/batch-curves';
import Chart from '../../../renderer/src/components/Chart.svelte';

const points = [
  { x: 0.25, loss: 2.0, lr: 0.1 },
  { x: 0.5, loss: 1.5, lr: 0.1 },
];

/** Captures what the wrapper hands to its <a download> link. */
function captureDownloads() {
  const got: { file: string; href: string }[] = [];
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    got.push({ file: this.download, href: this.href });
  });
  return got;
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('Chart', () => {
  it('draws the option with the svg renderer and redraws when it changes', async () => {
    const { container, rerender } = render(Chart, {
      props: { option: batchCurvesOption(points), renderer: 'svg', name: 'loss', testid: 'c' },
    });
    const fig = container.querySelector('[data-testid="c"]')!;
    await vi.waitFor(() => expect(fig.getAttribute('data-updates')).toBe('1'));
    // Drawn on the next frame (lazyUpdate): wait for the text to land in the SVG.
    await vi.waitFor(() =>
      expect(fig.querySelector('svg')?.textContent).toContain('Training loss per batch'),
    );
    expect(fig.querySelector('svg')!.textContent).toContain('moving average');

    await rerender({
      option: batchCurvesOption([...points, { x: 0.75, loss: 1.2, lr: 0.05 }], { title: 'Live' }),
    });
    await vi.waitFor(() => expect(fig.getAttribute('data-updates')).toBe('2'));
    await vi.waitFor(() => expect(fig.querySelector('svg')!.textContent).toContain('Live'));
  });

  it('saves the figure as SVG and as PNG through a download link', async () => {
    const got = captureDownloads();
    const { getByRole, container } = render(Chart, {
      props: { option: batchCurvesOption(points), renderer: 'svg', name: 'loss', label: 'Loss' },
    });
    await vi.waitFor(() => expect(container.querySelector('svg')).not.toBeNull());
    await fireEvent.click(getByRole('button', { name: 'Save Loss as SVG' }));
    await fireEvent.click(getByRole('button', { name: 'Save Loss as PNG' }));
    expect(got.map((g) => g.file)).toEqual(['loss.svg', 'loss.png']);
    const svg = decodeURIComponent(got[0].href.slice(got[0].href.indexOf(',') + 1));
    expect(got[0].href.startsWith('data:image/svg+xml')).toBe(true);
    expect(svg).toMatch(/^<svg[\s\S]*Training loss per batch[\s\S]*<\/svg>$/);
    expect(got[1].href.startsWith('data:image/')).toBe(true);
  });
});
