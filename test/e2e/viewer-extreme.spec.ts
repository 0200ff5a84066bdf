// Extreme but real trace text: names and service names of kilobytes stay inside the tooltip and
// the waterfall row, leaving the rest of what they show readable.
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, slicePoint, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

const LONG = `L${'abcdefghij'.repeat(1000)}`; // 10 KB, no spaces

async function load(page: Page, input: unknown): Promise<void> {
  await page.evaluate((i) => (document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> }).load(i), input);
}

test('a 10 KB name: the tooltip stays a few lines tall and its duration and track stay on screen', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await load(page, [
    { ph: 'M', name: 'process_name', pid: 1, args: { name: LONG } },
    { ph: 'X', name: LONG, ts: 0, dur: 1000, pid: 1, tid: 1 },
  ]);
  await waitForEvent(page, 'spanbeam-load');
  const p = await slicePoint(page, LONG);
  await page.mouse.move(p.x + 100, p.y);
  const tip = page.locator('spanbeam-viewer .tooltip');
  await expect(tip.locator('.tname')).toHaveText(LONG);
  const box = (await tip.boundingBox())!;
  // Was 8046 px tall: the duration line below the name was off screen.
  expect(box.height).toBeLessThan(200);
  const dur = (await tip.locator('.muted').first().boundingBox())!;
  expect(dur.y + dur.height).toBeLessThanOrEqual(700);
  await expect(tip.locator('.muted').first()).toHaveText('1 ms · starts 0');
});

test('waterfall: a long service name leaves room for the span name', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  const service = `checkout-${'x'.repeat(300)}`;
  await load(page, {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: '01'.repeat(8), name: 'GET /orders', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000' }] }],
      },
    ],
  });
  await waitForEvent(page, 'spanbeam-load');
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  const row = page.locator('spanbeam-viewer .wf-row').first();
  await expect(row.locator('.nm')).toHaveText('GET /orders');
  const cell = (await row.locator('.wf-label').boundingBox())!;
  const nm = (await row.locator('.nm').boundingBox())!;
  // The name starts inside its cell with room to be read (it was pushed past the cell's end).
  expect(nm.x + 40).toBeLessThan(cell.x + cell.width);
  expect(nm.width).toBeGreaterThan(40);
});

test('a trace lasting days: the details give the start of a 1 ns slice exact to the ns', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  const day = 86400e6; // µs
  await load(page, [
    { ph: 'X', name: 'long', ts: 0, dur: 3 * day, pid: 1, tid: 1 },
    { ph: 'X', name: 'tiny', ts: day + 0.5, dur: 0.001, pid: 1, tid: 2 },
    { ph: 'X', name: 'tiny2', ts: day + 0.6, dur: 0.001, pid: 1, tid: 2 },
  ]);
  await waitForEvent(page, 'spanbeam-load');
  const start = page.locator('spanbeam-viewer .details dt:text-is("Start") + dd');
  for (const [slice, text] of [[1, '1 d 0.0000005 s'], [2, '1 d 0.0000006 s']] as const) {
    await page.evaluate((s) => (document.querySelector('spanbeam-viewer') as unknown as { highlight(s: number[]): void }).highlight([s]), slice);
    // Both read "24 h" before.
    await expect(start).toHaveText(text);
  }
  await expect(page.locator('spanbeam-viewer .details dt:text-is("Duration") + dd')).toHaveText('1 ns');
});

test('a cut slice name stays inside its slice (wide glyphs first) and never splits an emoji', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await page.addInitScript(() => {
    const w = window as unknown as { __drawn: Array<[string, number, number]> };
    w.__drawn = [];
    const fill = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (t: string, x: number, y: number) {
      w.__drawn.push([t, x, this.measureText(t).width]);
      return fill.call(this, t, x, y);
    };
  });
  await openViewer(page, server);
  const cjk = `数据库查询数据库查询数据库查询数据库查询${' select id from orders'.repeat(4)}`;
  const emoji = `${'😀'.repeat(30)}${'i'.repeat(60)}`;
  await load(page, [
    { ph: 'X', name: cjk, ts: 0, dur: 100, pid: 1, tid: 1 },
    { ph: 'X', name: 'next', ts: 100, dur: 900, pid: 1, tid: 1 },
    { ph: 'X', name: emoji, ts: 0, dur: 100, pid: 1, tid: 2 },
  ]);
  await waitForEvent(page, 'spanbeam-load');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const drawn = await page.evaluate(() => (window as unknown as { __drawn: Array<[string, number, number]> }).__drawn);
  const cut = drawn.filter(([t]) => t.endsWith('…') && (t.startsWith('数') || t.startsWith('😀')));
  expect(cut.length).toBeGreaterThanOrEqual(2);
  const nextX = drawn.find(([t]) => t === 'next')![1];
  for (const [t, x, w] of cut) {
    // Inside the slice (100 µs wide; "next" is drawn 3 px into the slice after it); it ran ~10 px into "next".
    expect(x + w, t).toBeLessThanOrEqual(nextX - 3);
    // No lone high surrogate before the ellipsis.
    expect(/[\ud800-\udbff]…$/.test(t), t).toBe(false);
  }
});
