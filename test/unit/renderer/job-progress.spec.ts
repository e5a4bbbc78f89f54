// The analysis progress block of the OOD and Collapse pages: shown while the job runs or waits for a slot, with the
// job's message and ETA, or why it waits; gone once the job has ended.
import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../common/contract/jobs';
import JobProgress from '../../../renderer/src/components/JobProgress.svelte';

afterEach(cleanup);

const job = (state: JobInfo['state'], progress?: JobInfo['progress']): JobInfo => ({
  id: 'j1',
  kind: 'nc',
  title: 'NC',
  state,
  startedAt: '2026-01-01T00:00:00Z',
  progress,
});

describe('JobProgress', () => {
  it('shows a running job with its fraction, message and ETA', () => {
    render(JobProgress, {
      props: {
        job: job('running', { fraction: 0.25, message: 'epoch 2: NC1', etaSeconds: 90 }),
        label: 'NC',
        testid: 'p',
      },
    });
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByTestId('p').textContent).toMatch(/epoch 2: NC1 · ETA 1 min 30 s/);
  });

  it('says why a queued job waits, and shows nothing for an ended job or none', () => {
    const { unmount } = render(JobProgress, { props: { job: job('queued'), label: 'NC', testid: 'p' } });
    expect(screen.getByTestId('p').textContent).toMatch(/Queued: starts when the analysis running now ends/);
    unmount();
    render(JobProgress, {
      props: { job: job('done', { fraction: 1, message: 'done' }), label: 'NC', testid: 'p' },
    });
    expect(screen.queryByTestId('p')).toBeNull();
    cleanup();
    render(JobProgress, { props: { job: undefined, label: 'NC', testid: 'p' } });
    expect(screen.queryByTestId('p')).toBeNull();
  });
});
