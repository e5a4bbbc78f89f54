// Bring your own model through the UI, in browser mode against the real backend: the Runs page's "Import model…"
// form (a path field here), Inspect filling the stage pick list, the import, the run's Export ONNX button, then the
// OOD page evaluating the imported model on the synthetic sets and showing its table, and the Collapse page.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { smallResNetOnnx } from '../helpers/onnx-graphs';
import { tempDir } from '../helpers/tmp';
import { launchBrowser, newPage, screenshot, serve, type Served } from './harness';

let served: Served;
let browser: Browser;
let page: Page;
let cleanup: () => Promise<void>;
let modelPath: string;
const errors: string[] = [];

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  modelPath = join(t.dir, 'my-classifier.onnx');
  await writeFile(modelPath, smallResNetOnnx({ classes: 4 }));
  served = await serve(join(t.dir, 'home'));
  browser = await launchBrowser();
  page = await newPage(browser);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(served.url + '#/runs');
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  await screenshot(page, `failed-import-${ctx.task.name.slice(0, 30).replace(/\W+/g, '-')}`);
  console.error(served.output().slice(-3000));
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await cleanup?.();
});

const T = { timeout: 60_000, interval: 100 };
const LONG = { timeout: 150_000, interval: 200 };
let runId = '';

describe('importing a model through the UI', () => {
  it('refuses a file that is not a model, with a message naming it', async () => {
    await page.getByTestId('import-open').click();
    await page.getByTestId('import-path').fill(join(modelPath, '..', 'nothing-here.onnx'));
    await page.getByTestId('import-submit').click();
    await expect
      .poll(() => page.getByTestId('import-error').textContent(), T)
      .toMatch(/nothing-here\.onnx: no such file/);
  });

  it('inspects and imports an ONNX classifier, then exports it as ONNX', async () => {
    await page.getByTestId('import-path').fill(modelPath);
    await page.getByTestId('import-inspect').click();
    await expect
      .poll(() => page.getByTestId('import-info').textContent(), T)
      .toMatch(/4 classes.*penultimate/);
    expect(await page.getByRole('checkbox', { name: 'stage2.out' }).isChecked()).toBe(true);
    await page.getByTestId('import-dataset').selectOption('synthetic');
    await screenshot(page, 'import-form');
    await page.getByTestId('import-submit').click();
    await expect
      .poll(() => page.getByTestId('import-notes').textContent(), T)
      .toMatch(/Imported .*my-classifier\.onnx/);
    const row = page.getByTestId('run-row').first();
    runId = (await row.getAttribute('data-run')) ?? '';
    expect(runId).toMatch(/my-classifier/);
    await expect
      .poll(() => page.getByTestId('run-view').textContent(), T)
      .toMatch(/imported ONNX classifier/);
    await page.getByTestId('export-onnx-button').click();
    await expect
      .poll(() => page.getByTestId('export-onnx-result').textContent(), T)
      .toMatch(/model-best\.onnx/);
  });

  it('evaluates the imported model on the OOD page and shows its table', async () => {
    await page.getByTestId('nav-ood').click();
    await page.getByTestId('run-picker').selectOption(runId);
    await page.getByTestId('evaluate').click();
    const table = page.getByTestId('ood-table');
    await expect.poll(() => table.locator('tbody tr').count(), LONG).toBeGreaterThanOrEqual(6);
    await screenshot(page, 'import-ood');
  });

  it('analyses its Neural Collapse on the Collapse page', async () => {
    await page.getByTestId('nav-collapse').click();
    await page.getByTestId('run-picker').selectOption(runId);
    await page.getByTestId('analyze').click();
    await expect.poll(() => page.getByTestId('nc-table').isVisible(), LONG).toBe(true);
    await screenshot(page, 'import-collapse');
    expect(errors).toEqual([]);
  });
});
