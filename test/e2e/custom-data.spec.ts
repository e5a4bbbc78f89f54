// A user's own OOD set end to end in browser mode: "Add data set…" on the Datasets page turns a folder of images
// (with one corrupt file) into a set, its card shows it ready with the skipped file named, and the OOD page scores a
// run against it: the set's column appears in the OOD table. The run is a tiny synthetic checkpoint written before
// the host starts, so no training or download is needed.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { OodMethod } from '../../common/contract/ood';
import { OOD_NETWORK_METHODS } from '../../common/contract/ood-methods';
import { initBackend } from '../../main/engine/backend';
import { updateManifest } from '../../main/engine/runs/store';
import { tinyRun } from '../helpers/runs';
import { tempDir } from '../helpers/tmp';
import { launchBrowser, newPage, screenshot, serve, type Served } from './harness';

let served: Served;
let browser: Browser;
let page: Page;
let cleanup: () => Promise<void>;
let home: string;
let folder: string;
let runId: string;
const errors: string[] = [];
const T = { timeout: 90_000, interval: 200 };

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  home = join(t.dir, 'home');
  folder = join(t.dir, 'my photos');
  await mkdir(join(folder, 'beach'), { recursive: true });
  for (let k = 0; k < 12; k++)
    await writeFile(
      join(folder, k < 6 ? 'beach' : '', `p${k}.jpg`),
      await sharp({
        create: { width: 48 + k, height: 40, channels: 3, background: { r: 20 * k, g: 90, b: 30 } },
      })
        .jpeg()
        .toBuffer(),
    );
  await writeFile(join(folder, 'broken.png'), 'not an image');

  await initBackend('cpu');
  runId = (await tinyRun(home, 'tiny', { synthetic: { classes: 3, trainPerClass: 10, testPerClass: 5 } })).id;
  await updateManifest(home, runId, { state: 'done', epochsDone: 1 });

  served = await serve(home);
  browser = await launchBrowser();
  page = await newPage(browser);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(served.url + '#/datasets');
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await cleanup?.();
});

describe('your own data set in the UI', () => {
  it('adds an image folder as an OOD set and scores a run against it', async () => {
    await page.getByTestId('add-dataset').click();
    await page.getByTestId('add-path').fill(folder);
    await page.getByTestId('add-name').fill('My Photos');
    await page.getByTestId('add-role-ood').check();
    await page.getByTestId('add-submit').click();
    const card = page.getByTestId('dataset-my-photos');
    await expect.poll(() => card.getAttribute('data-status').catch(() => null), T).toBe('ready');
    expect(await card.getByTestId('skipped-my-photos').textContent()).toMatch(
      /1 unreadable image skipped: broken\.png/,
    );
    await expect
      .poll(() => card.getByTestId('samples-my-photos').locator('img').count(), T)
      .toBeGreaterThan(0);
    await screenshot(page, 'datasets-custom');

    await page.getByTestId('nav-ood').click();
    await page.getByTestId('run-picker').selectOption(runId);
    await page.locator('label', { hasText: 'My Photos' }).locator('input[type="checkbox"]').check();
    await page.getByTestId('evaluate').click();
    const table = page.getByTestId('ood-table');
    await expect
      .poll(
        () =>
          table
            .locator('thead th.set')
            .allTextContents()
            .catch(() => []),
        T,
      )
      .toEqual(expect.arrayContaining([expect.stringMatching(/my-photos\s*n=12/)]));
    // one row per detector run by default: all but the ones that need the network itself (ODIN)
    expect(await table.locator('tbody tr[data-method]').count()).toBe(
      OodMethod.options.length - OOD_NETWORK_METHODS.length,
    );
    await screenshot(page, 'ood-custom');
    expect(errors).toEqual([]);
  });
});
