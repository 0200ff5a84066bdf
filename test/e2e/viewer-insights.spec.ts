import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, openWideTrace, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

async function open(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1200, height: 800 });
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/nplus1.otlp.json');
  const ev = await waitForEvent(page, 'spanbeam-load');
  expect(ev.detail).toMatchObject({ format: 'otlp-json', slices: 18 });
}

test('insights: N+1 fan-out, bottlenecks by self time and duration, critical path; entries select', async ({ page }) => {
  await open(page);
  await page.locator('spanbeam-viewer button.tab-insights').click();
  const fan = page.locator('spanbeam-viewer ol.fanouts > li');
  await expect(fan).toHaveCount(1);
  await expect(fan.first()).toContainText('12 × SELECT * FROM items WHERE id = #');
  await expect(fan.first()).toContainText('60 ms total');
  await expect(fan.first()).toContainText('sequential');
  await expect(fan.first()).toContainText('load order items');
  await expect(page.locator('spanbeam-viewer ol.bottlenecks-self > li').first()).toContainText('render invoice');
  await expect(page.locator('spanbeam-viewer ol.bottlenecks-self > li').first()).toContainText('92 ms');
  await expect(page.locator('spanbeam-viewer ol.bottlenecks-duration > li').first()).toContainText('GET /checkout');
  const critical = page.locator('spanbeam-viewer ol.critical');
  await expect(critical).toContainText('charge card');
  await expect(critical).toContainText('render invoice');
  // Clicking the fan-out selects its first call and highlights all twelve.
  await fan.first().getByRole('button').click();
  const sel = await waitForEvent(page, 'spanbeam-select');
  expect(sel.detail.name).toBe('SELECT * FROM items WHERE id = 100');
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('1 / 12');
  await page.locator('spanbeam-viewer ol.bottlenecks-self > li').first().getByRole('button').click();
  expect((await waitForEvent(page, 'spanbeam-select', 2)).detail.name).toBe('render invoice');
  await expect(page.locator('spanbeam-viewer .details h2')).toHaveText('render invoice');
});

test('insights of a measured range only count slices in it', async ({ page }) => {
  await open(page);
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { viewWindow: { startNs: number; endNs: number } };
    v.viewWindow = { startNs: 84e6, endNs: 200e6 };
  });
  const box = (await page.locator('spanbeam-viewer .timeline').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + 182, box.y + 300);
  await page.mouse.down();
  await page.mouse.move(box.x + 200 + (box.width - 200) * 0.85, box.y + 300, { steps: 3 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await page.locator('spanbeam-viewer button.tab-insights').click();
  await expect(page.locator('spanbeam-viewer .insights')).toContainText('Measured range');
  await expect(page.locator('spanbeam-viewer ol.fanouts > li')).toHaveCount(0);
});

test('waterfall: span tree with services, errors, critical path, expand/collapse, keyboard', async ({ page }) => {
  await open(page);
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  const rows = page.locator('spanbeam-viewer .wf-row');
  await expect(rows).toHaveCount(18);
  await expect(page.locator('spanbeam-viewer .wf-head')).toContainText('a1b2c3d4e5f60718293a4b5c6d7e8f90');
  await expect(rows.nth(0)).toContainText('frontend');
  await expect(rows.nth(0)).toContainText('GET /checkout');
  await expect(rows.nth(1)).toContainText('orders-api');
  await expect(rows.nth(1)).toHaveAttribute('aria-level', '2');
  const charge = page.locator('spanbeam-viewer .wf-row', { hasText: 'charge card' });
  await expect(charge).toHaveClass(/error/);
  await expect(charge).toHaveClass(/critical/);
  const load = page.locator('spanbeam-viewer .wf-row', { hasText: 'load order items' });
  await expect(load).toHaveAttribute('aria-expanded', 'true');
  await load.locator('button.twisty').click();
  await expect(rows).toHaveCount(6);
  await expect(load).toHaveAttribute('aria-expanded', 'false');
  await load.click();
  expect((await waitForEvent(page, 'spanbeam-select')).detail.name).toBe('load order items');
  await page.keyboard.press('ArrowRight');
  await expect(rows).toHaveCount(18);
  await page.keyboard.press('ArrowDown');
  expect((await waitForEvent(page, 'spanbeam-select', 2)).detail.name).toBe('SELECT * FROM items WHERE id = 100');
});

test('the critical path follows a selection made after the insights were first shown', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  await openViewer(page, server);
  const x = (tid: number, name: string, ts: number, dur: number) => ({ ph: 'X', pid: 1, tid, ts, dur, name, cat: 'c' });
  await page.evaluate(
    (t) => (document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> }).load(t),
    { traceEvents: [x(1, 'long root', 0, 1000), x(1, 'long child', 10, 900), x(2, 'short root', 0, 500), x(2, 'short child', 10, 400)] },
  );
  await page.locator('spanbeam-viewer button.tab-insights').click();
  const heading = page.locator('spanbeam-viewer section.insights h3', { hasText: 'Critical path' });
  await expect(heading).toContainText('long root');
  await page.locator('spanbeam-viewer button.tab-timeline').click();
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { model: { strings: string[]; slices: { count: number; name: Uint32Array } }; selection: number };
    const id = v.model.strings.indexOf('short child');
    for (let i = 0; i < v.model.slices.count; i++) if (v.model.slices.name[i] === id) v.selection = i;
  });
  await page.locator('spanbeam-viewer button.tab-insights').click();
  await expect(heading).toContainText('short root');
  await expect(page.locator('spanbeam-viewer ol.critical')).toContainText('short child');
});

test('waterfall: collapsing the selected row\'s parent keeps a row reachable with Tab', async ({ page }) => {
  await open(page);
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  await page.locator('spanbeam-viewer .wf-row', { hasText: 'SELECT * FROM items WHERE id = 100' }).click();
  await waitForEvent(page, 'spanbeam-select');
  await page.locator('spanbeam-viewer .wf-row', { hasText: 'load order items' }).locator('button.twisty').click();
  await expect(page.locator('spanbeam-viewer .wf-row')).toHaveCount(6);
  await expect(page.locator('spanbeam-viewer .wf-row[tabindex="0"]')).toHaveCount(1);
});

/** A trace of one span with 300 children (`query #1` … `query #300`, 1 ms apart), opened in the waterfall. */
const wfRow = (page: Page, name: string) => page.locator('spanbeam-viewer .wf-row', { hasText: new RegExp(`${name}\\b`) });

test('waterfall: a selection made by search, the timeline or insights is scrolled to (its collapsed parent opened); the scroll survives switching views', async ({ page }) => {
  await openWideTrace(page, server, 600);
  const row = (name: string) => wfRow(page, name);
  await expect(row('GET /report')).toBeInViewport();
  // Scrolled down, to the timeline and back: the rows shown are where the waterfall was (it was blank).
  await page.locator('spanbeam-viewer .wf-body').evaluate((b) => (b.scrollTop = 3000));
  await expect(row('query #140')).toBeInViewport();
  await page.locator('spanbeam-viewer button.tab-timeline').click();
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  await expect(row('query #140')).toBeInViewport();
  // Search steps to a match far below: its row is shown and selected.
  const search = page.locator('spanbeam-viewer input[type=search]');
  await search.fill('query #250');
  await search.press('Enter');
  await expect(row('query #250')).toHaveClass(/selected/);
  await expect(row('query #250')).toBeInViewport();
  // A match under a collapsed span opens it.
  await page.locator('spanbeam-viewer .wf-body').evaluate((b) => (b.scrollTop = 0));
  await row('GET /report').locator('button.twisty').click();
  await expect(page.locator('spanbeam-viewer .wf-row')).toHaveCount(1);
  await search.fill('query #20');
  await search.press('Enter');
  await expect(row('query #20')).toBeInViewport();
});

test('waterfall: a long name ends in an ellipsis and keeps its indent', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 600 });
  await openViewer(page, server);
  const t0 = 1.7e18;
  const span = (id: string, name: string, parent?: string) => ({
    traceId: 'ab'.repeat(16),
    spanId: id.padStart(16, '0'),
    ...(parent ? { parentSpanId: parent.padStart(16, '0') } : {}),
    name,
    startTimeUnixNano: String(t0),
    endTimeUnixNano: String(t0 + 1e6),
  });
  const spans = [span('1', 'root'), span('2', 'short', '1'), span('3', `payments.charge ${'VeryLongOperationName'.repeat(8)}`, '1')];
  await page.evaluate(
    (t) => (document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> }).load(t),
    { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] },
  );
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  const name = (text: string) => page.locator('spanbeam-viewer .wf-row .nm', { hasText: text });
  const long = await name('VeryLong').evaluate((n) => ({ clipped: n.scrollWidth > n.clientWidth, overflow: getComputedStyle(n).textOverflow, left: n.getBoundingClientRect().left }));
  expect(long).toMatchObject({ clipped: true, overflow: 'ellipsis' });
  expect(long.left).toBe(await name('short').evaluate((n) => n.getBoundingClientRect().left));
});

test('waterfall: rows fill the view after the viewer grows taller', async ({ page }) => {
  await openWideTrace(page, server, 500);
  await expect(wfRow(page, 'query #10')).toBeInViewport();
  await page.setViewportSize({ width: 1200, height: 1400 });
  await expect(wfRow(page, 'query #55')).toBeInViewport();
});

test('Escape in the search box clears the query and returns focus to the view shown: waterfall, insights', async ({ page }) => {
  await open(page);
  const search = page.locator('spanbeam-viewer input[type=search]');
  for (const [tab, focused] of [['waterfall', '[role=row]'], ['insights', 'button']] as const) {
    await page.locator(`spanbeam-viewer button.tab-${tab}`).click();
    await search.fill('SELECT');
    await search.press('Escape');
    await expect(search).toHaveValue('');
    // Focus left the box for the view's own tab stop (the timeline is hidden there).
    await expect(page.locator(`spanbeam-viewer #main ${focused}:focus`)).toHaveCount(1);
  }
});

test('Escape clears the selection in the waterfall and insights (focus stays); with nothing selected it reaches the page', async ({ page }) => {
  await open(page);
  await page.evaluate(() => {
    (window as unknown as { pageEscapes: number }).pageEscapes = 0;
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') (window as unknown as { pageEscapes: number }).pageEscapes++;
    });
  });
  const selection = () => page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as { selection: number }).selection);
  const pageEscapes = () => page.evaluate(() => (window as unknown as { pageEscapes: number }).pageEscapes);
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  const load = page.locator('spanbeam-viewer .wf-row', { hasText: 'load order items' });
  await load.click();
  await waitForEvent(page, 'spanbeam-select');
  expect(await selection()).toBeGreaterThanOrEqual(0);
  await page.keyboard.press('Escape');
  expect((await waitForEvent(page, 'spanbeam-select', 2)).detail.slice).toBe(-1);
  await expect(load).toHaveAttribute('aria-selected', 'false');
  // The same trace stays, focus on the row (the Tab stop), and the page saw no Escape.
  await expect(page.locator('spanbeam-viewer .wf-head')).toContainText('a1b2c3d4e5f60718293a4b5c6d7e8f90');
  await expect(load).toBeFocused();
  await expect(load).toHaveAttribute('tabindex', '0');
  expect(await pageEscapes()).toBe(0);
  await page.keyboard.press('Escape'); // nothing selected: the page's
  expect(await pageEscapes()).toBe(1);
  await expect(load).toBeFocused();

  await page.locator('spanbeam-viewer button.tab-insights').click();
  const entry = page.locator('spanbeam-viewer ol.bottlenecks-self > li').first().getByRole('button');
  await entry.click();
  await waitForEvent(page, 'spanbeam-select', 3);
  expect(await selection()).toBeGreaterThanOrEqual(0);
  await page.keyboard.press('Escape');
  expect((await waitForEvent(page, 'spanbeam-select', 4)).detail.slice).toBe(-1);
  await expect(page.locator('spanbeam-viewer .insights button:focus')).toHaveCount(1);
  expect(await pageEscapes()).toBe(1);
  await page.keyboard.press('Escape');
  expect(await pageEscapes()).toBe(2);
});

test('waterfall: Escape clearing the selection keeps the trace shown (not the first trace)', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  await openViewer(page, server);
  const t0 = 1.7e18;
  const span = (trace: string, id: string, name: string, at: number) => ({
    traceId: trace.repeat(16),
    spanId: id.padStart(16, '0'),
    name,
    startTimeUnixNano: String(t0 + at),
    endTimeUnixNano: String(t0 + at + 1e6),
  });
  const spans = [span('aa', '1', 'first trace', 0), span('bb', '2', 'second trace', 2e6)];
  await page.evaluate(
    (t) => (document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> }).load(t),
    { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] },
  );
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { model: { strings: string[]; slices: { count: number; name: Uint32Array } }; selection: number };
    const id = v.model.strings.indexOf('second trace');
    for (let i = 0; i < v.model.slices.count; i++) if (v.model.slices.name[i] === id) v.selection = i;
  });
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  const row = page.locator('spanbeam-viewer .wf-row', { hasText: 'second trace' });
  await row.focus();
  await page.keyboard.press('Escape');
  await expect(row).toHaveAttribute('aria-selected', 'false');
  await expect(page.locator('spanbeam-viewer .wf-head')).toContainText('bb'.repeat(16));
  await expect(row).toBeFocused();
});

test('waterfall: PageDown / PageUp move the selection a view of rows, the focused row kept in view', async ({ page }) => {
  await open(page);
  await page.setViewportSize({ width: 1200, height: 330 });
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  await page.locator('spanbeam-viewer .wf-row').first().click();
  await waitForEvent(page, 'spanbeam-select');
  const at = () =>
    page.evaluate(() => {
      const root = document.querySelector('spanbeam-viewer')!.shadowRoot!;
      const rows = [...root.querySelectorAll('.wf-row')];
      const f = root.activeElement as HTMLElement | null;
      const body = root.querySelector('.wf-body')!.getBoundingClientRect();
      const r = f?.getBoundingClientRect();
      return { index: Number(f?.getAttribute('aria-rowindex') ?? -1), rows: rows.length, inView: !!r && r.top >= body.top - 1 && r.bottom <= body.bottom + 1 };
    });
  const start = await at();
  await page.keyboard.press('PageDown');
  await expect.poll(async () => (await at()).index).toBeGreaterThan(start.index + 1);
  expect((await at()).inView).toBe(true);
  await page.keyboard.press('PageUp');
  await expect.poll(async () => (await at()).index).toBe(start.index);
  expect((await at()).inView).toBe(true);
});
