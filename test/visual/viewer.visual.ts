import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from '../e2e/viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

async function open(page: Page, fixture: string, theme = 'light'): Promise<void> {
  await openViewer(page, server, `?theme=${theme}&src=/test/fixtures/viewer-ui/${fixture}`);
  await waitForEvent(page, 'spanbeam-load');
  await page.mouse.move(0, 0);
}

const selectByName = (page: Page, name: string) =>
  page.evaluate((n) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { model: { strings: string[]; slices: { name: Uint32Array; count: number } }; selection: number };
    const id = v.model.strings.indexOf(n);
    for (let i = 0; i < v.model.slices.count; i++) if (v.model.slices.name[i] === id) return (v.selection = i);
    return -1;
  }, name);

const settle = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('chrome trace, light, with a selection and its flow', async ({ page }) => {
  await open(page, 'basic.json');
  await selectByName(page, 'ReadFile');
  await settle(page);
  await expect(page).toHaveScreenshot('chrome-light-selected.png');
});

test('chrome trace, dark theme, search highlight', async ({ page }) => {
  await open(page, 'basic.json', 'dark');
  await page.locator('spanbeam-viewer input[type=search]').fill('Run');
  await page.locator('spanbeam-viewer input[type=search]').press('Enter');
  await waitForEvent(page, 'spanbeam-select');
  await page.locator('spanbeam-viewer .timeline').focus();
  await settle(page);
  await expect(page).toHaveScreenshot('chrome-dark-search.png');
});

test('OTLP trace timeline with all flows', async ({ page }) => {
  await open(page, 'nplus1.otlp.json');
  await page.locator('spanbeam-viewer select').selectOption('all');
  await settle(page);
  await expect(page).toHaveScreenshot('otlp-timeline-flows.png');
});

test('waterfall with critical path and error', async ({ page }) => {
  await open(page, 'nplus1.otlp.json');
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  await settle(page);
  await expect(page).toHaveScreenshot('otlp-waterfall.png');
});

test('insights panel', async ({ page }) => {
  await open(page, 'nplus1.otlp.json');
  await page.locator('spanbeam-viewer button.tab-insights').click();
  await settle(page);
  await expect(page).toHaveScreenshot('otlp-insights.png');
});

test('crisp at devicePixelRatio 2', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 700, height: 360 }, deviceScaleFactor: 2 });
  const page = await ctx.newPage();
  await open(page, 'basic.json');
  await selectByName(page, 'Layout');
  await settle(page);
  await expect(page).toHaveScreenshot('chrome-dpr2.png');
  await ctx.close();
});

test('dense trace zoomed out: sub-pixel slices merge into columns', async ({ page }) => {
  await openViewer(page, server, '?theme=light');
  await page.evaluate(() => {
    // Deterministic 40k-event trace: 2 threads, 3 levels, most slices far below one pixel wide.
    const ev: unknown[] = [{ ph: 'M', name: 'thread_name', pid: 1, tid: 1, args: { name: 'dense' } }];
    let t = 0;
    for (let k = 0; k < 13_000; k++) {
      const d = 20 + (k % 7) * 9;
      ev.push({ ph: 'X', name: `task ${k % 5}`, pid: 1, tid: 1 + (k % 2), ts: t, dur: d });
      ev.push({ ph: 'X', name: `child ${k % 3}`, pid: 1, tid: 1 + (k % 2), ts: t + 2, dur: d / 2 });
      ev.push({ ph: 'X', name: 'leaf', pid: 1, tid: 1 + (k % 2), ts: t + 3, dur: d / 5 });
      t += d + 5 + (k % 11);
    }
    ev.push({ ph: 'X', name: 'long tail', pid: 1, tid: 1, ts: t + 100, dur: 90_000 });
    return (document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> }).load({ traceEvents: ev });
  });
  await page.mouse.move(0, 0);
  await settle(page);
  await expect(page).toHaveScreenshot('dense-zoomed-out.png');
});
