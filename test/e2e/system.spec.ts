import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newPage, screenshot, serve, type Served } from './harness';
import { tempDir } from '../helpers/tmp';

let served: Served;
let browser: Browser;
let cleanup: () => Promise<void>;
let home: string;

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  home = t.dir;
  served = await serve(home);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await cleanup();
});

describe('browser mode, System panel', () => {
  it('shows system.info from the real backend', async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url + '#/system');
    const panel = page.getByTestId('system-panel');
    await expect.poll(() => panel.getByTestId('cpu').textContent(), { timeout: 30_000 }).toMatch(/× \d+$/);
    const version = (await import('../../package.json', { with: { type: 'json' } })).default.version;
    expect(await panel.getByTestId('app-version').textContent()).toBe(`${version} (browser mode)`);
    expect(await panel.getByTestId('data-dir').textContent()).toBe(home);
    const rows = await panel.getByTestId('backends').locator('tbody tr').allTextContents();
    expect(rows.some((r) => r.startsWith('cpu') && r.includes('available'))).toBe(true);
    await screenshot(page, 'system');
    expect(errors).toEqual([]);
  });

  it('drops the token from the address bar once read, and still works after a reload (issue 18 item 10)', async () => {
    const page = await newPage(browser);
    await page.goto(served.url + '#/system');
    const panel = page.getByTestId('system-panel');
    await expect.poll(() => panel.getByTestId('cpu').textContent(), { timeout: 30_000 }).toMatch(/× \d+$/);
    expect(page.url()).not.toContain('token=');
    expect(page.url()).toContain('#/system');
    await page.reload();
    await expect.poll(() => panel.getByTestId('cpu').textContent(), { timeout: 30_000 }).toMatch(/× \d+$/);
  });

  it('refuses the API without the token: the page says it cannot reach the host', async () => {
    const page = await newPage(browser);
    const bare = new URL(served.url);
    bare.search = '';
    await page.goto(bare.href + '#/system');
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 })
      .toMatch(/Cannot reach the OODLab host/);
  });
});
