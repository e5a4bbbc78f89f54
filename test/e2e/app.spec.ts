// The desktop UI end to end, in browser mode against the real backend: data download with progress, a smoke
// training whose curves move, cancel and resume, OOD evaluation, Neural Collapse, runs, export, and a restart.
// One host for the whole file (the steps build on each other); screenshots of every page go to artifacts/.
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage, screenshot as rawScreenshot, serve, type Served } from './harness';
import { startMirror, type Mirror } from './fixtures';
import { tempDir } from '../helpers/tmp';

let served: Served;
let browser: Browser;
let page: Page;
let mirror: Mirror;
let cleanup: () => Promise<void>;
let home: string;
const errors: string[] = [];

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  home = join(t.dir, 'home');
  mirror = await startMirror(t.dir);
  served = await serve(home, mirror.env);
  browser = await launchBrowser();
  page = await newPage(browser);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(served.url + '#/datasets');
});
// A failed step leaves its picture and the host's last words behind.
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  await screenshot(page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  console.error(served.output().slice(-3000));
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await mirror?.server.close();
  await cleanup?.();
});

const T = { timeout: 60_000, interval: 100 };
const LONG = { timeout: 150_000, interval: 200 };

/** A run's state as the Train page's status card shows it. */
const trainState = () =>
  page
    .getByTestId('run-status')
    .locator('[data-state]')
    .first()
    .getAttribute('data-state', { timeout: 1000 })
    .catch(() => null);
const updatesOf = (testid: string) =>
  page
    .getByTestId(testid)
    .getAttribute('data-updates', { timeout: 1000 })
    .then(Number)
    .catch(() => 0);

/** A screenshot once chart animations (about a second) have settled. */
async function screenshot(p: Page, name: string): Promise<void> {
  await p.waitForTimeout(1200);
  await rawScreenshot(p, name);
}

async function goto(id: string): Promise<void> {
  await page.getByTestId(`nav-${id}`).click();
}

let doneRun = '';
let cancelledRun = '';

describe('the OODLab UI in browser mode', () => {
  it('downloads a data set with a live progress bar, then shows its samples', async () => {
    const card = page.getByTestId('dataset-cifar100');
    await card.getByTestId('download-cifar100').click();
    const bar = card.getByTestId('progress-cifar100');
    const text = () => bar.textContent({ timeout: 500 }).catch(() => '');
    await expect.poll(text, T).toMatch(/\d+(\.\d)? (B|KiB) of 32\.6 KiB · .*\/s · ETA/);
    await screenshot(page, 'datasets-downloading');
    await expect.poll(() => card.getAttribute('data-status'), T).toBe('ready');
    await expect.poll(() => card.getByTestId('samples-cifar100').locator('img').count(), T).toBe(12);
    expect(existsSync(join(home, 'datasets', 'cifar100'))).toBe(true);
  });

  it('explains a failed download and retries it', async () => {
    const card = page.getByTestId('dataset-svhn');
    await card.getByTestId('download-svhn').click();
    await expect.poll(() => card.getByTestId('error-svhn').textContent(), T).toMatch(/404/);
    mirror.healSvhn();
    await card.getByRole('button', { name: 'Retry download' }).click();
    await expect.poll(() => card.getAttribute('data-status'), T).toBe('ready');
    await screenshot(page, 'datasets');
  });

  it('trains the smoke preset with curves that move while it runs', async () => {
    await goto('train');
    await page.getByTestId('start').click();
    await expect.poll(trainState, T).toBe('running');
    doneRun = (await page.getByTestId('run-id').textContent())!;
    // Sample the per-batch chart while the run trains: it must redraw at least three times before the end.
    const seen = new Set<number>();
    let state: string | null = 'running';
    while (state === 'running') {
      seen.add(await updatesOf('chart-batch'));
      if (seen.size === 4) await screenshot(page, 'train-running');
      await page.waitForTimeout(150);
      state = await trainState();
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect(state).toBe('done');
    await expect.poll(() => updatesOf('chart-training-curves'), T).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('job-log').textContent()).toMatch(/epoch \d+\/\d+: train loss/);
    await screenshot(page, 'train');
  });

  it('cancels a run mid-way, resumes it, and shows it interrupted after the app is killed', async () => {
    await page.getByTestId('new-run').click();
    await page.getByTestId('field-epochs').fill('30');
    await page.getByTestId('start').click();
    await expect.poll(trainState, T).toBe('running');
    cancelledRun = (await page.getByTestId('run-id').textContent())!;
    await expect.poll(() => page.getByTestId('train-progress').isVisible(), T).toBe(true);
    await page.getByTestId('cancel').click();
    await expect.poll(trainState, T).toBe('cancelled');
    await page.getByTestId('resume').click();
    await expect.poll(trainState, T).toBe('running');

    // The app dies with the run training: after a restart the run is listed as interrupted and resumable.
    served.proc.kill('SIGKILL');
    await new Promise((r) => served.proc.once('exit', r));
    served = await serve(home, mirror.env);
    await page.goto(served.url + '#/runs');
    const row = (id: string) => page.locator(`[data-testid="run-row"][data-run="${id}"]`);
    await expect.poll(() => row(cancelledRun).getAttribute('data-state'), T).toBe('interrupted');
    expect(await row(doneRun).getAttribute('data-state')).toBe('done');
    await row(cancelledRun).getByTestId('open-run').click();
    await expect.poll(() => page.getByTestId('run-resume').isVisible(), T).toBe(true);
  });

  it('evaluates the OOD detectors: table, histogram, ROC and a re-score', async () => {
    await goto('ood');
    await page.getByTestId('run-picker').selectOption(doneRun);
    await page.getByTestId('evaluate').click();
    const table = page.getByTestId('ood-table');
    // Twenty detectors, listed under their four groups.
    await expect.poll(() => table.locator('tbody tr[data-method]').count(), LONG).toBe(20);
    expect(await table.locator('tbody[data-group]').count()).toBe(4);
    await expect.poll(() => page.getByTestId('ood-validation').textContent(), T).toMatch(/OOD /);
    // One best cell per column (ties aside): AUROC, FPR@95 and AUPR for the one OOD set.
    expect(await table.locator('td[data-best]').count()).toBeGreaterThanOrEqual(3);
    await expect.poll(() => updatesOf('chart-histogram'), T).toBeGreaterThanOrEqual(1);
    await expect.poll(() => updatesOf('chart-roc'), T).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('chart-histogram').locator('canvas').count()).toBeGreaterThan(0);
    const energy = table.locator('tr[data-method="energy"]');
    const before = await energy.locator('th').textContent();
    const slider = page.getByRole('slider', { name: 'Energy temperature T' });
    await slider.focus();
    // The sweep may have picked the end of the range (T = 100): then the only way is down.
    const atMax = (await slider.inputValue()) === (await slider.getAttribute('max'));
    await page.keyboard.press(atMax ? 'ArrowLeft' : 'ArrowRight');
    await expect.poll(() => energy.locator('th').textContent(), T).not.toBe(before);
    await screenshot(page, 'ood');
  });

  it('analyses Neural Collapse and draws its charts', async () => {
    await goto('collapse');
    await page.getByTestId('run-picker').selectOption(doneRun);
    await page.getByTestId('analyze').click();
    await expect.poll(() => page.getByTestId('nc-table').isVisible(), LONG).toBe(true);
    for (const c of ['chart-nc-epochs', 'chart-layer-nc1', 'chart-cosine', 'chart-pca'])
      await expect.poll(() => updatesOf(c), T).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'collapse');
  });

  it('lists, compares, exports and deletes runs', async () => {
    await goto('runs');
    const rows = page.getByTestId('run-row');
    await expect.poll(() => rows.count(), T).toBe(2);
    for (const id of [doneRun, cancelledRun])
      await page.locator(`[data-run="${id}"] input[type="checkbox"]`).check();
    await page.getByTestId('compare').click();
    await expect.poll(() => page.getByTestId('run-compare').isVisible(), T).toBe(true);
    await screenshot(page, 'runs-compare');

    await page.locator(`[data-run="${doneRun}"]`).getByTestId('open-run').click();
    const out = join(home, '..', 'export');
    await page.getByTestId('export-dir').fill(out);
    await page.getByTestId('export').click();
    await expect.poll(() => page.getByTestId('export-done').isVisible(), LONG).toBe(true);
    const files = await readdir(out, { recursive: true });
    expect(files).toEqual(expect.arrayContaining(['summary.json', 'training_history.json']));
    expect(files.some((f) => f.endsWith('.svg'))).toBe(true);
    expect(files.some((f) => f.endsWith('.png'))).toBe(true);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { runId: string };
    expect(summary.runId).toBe(doneRun);
    await screenshot(page, 'runs');

    await page.locator(`[data-run="${cancelledRun}"]`).getByTestId('open-run').click();
    await page.getByTestId('run-delete').click();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => rows.count(), T).toBe(1);
    expect(existsSync(join(home, 'runs', cancelledRun))).toBe(false);
    expect(errors).toEqual([]);
  });
});
