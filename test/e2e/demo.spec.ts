// The whole demo as `npm start` runs it (scripts/start.mjs: receiver, shop backend, inventory
// service, shop app, viewer page): a visit to the shop must land in the receiver as connected
// traces, from the browser's click down to the inventory's database query, and the viewer page
// must open them. Ctrl-C must leave no process behind.
import { expect, test, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  OTLP_KIND,
  eventually,
  flatten,
  freePorts,
  getTrace,
  isAlive,
  listTraces,
  startDemo,
  type DemoStack,
  type FlatSpan,
} from './demo-support';

test.describe.configure({ mode: 'serial' });

let stack: DemoStack;

test.beforeAll(async () => {
  test.setTimeout(60_000);
  stack = await startDemo();
});
test.afterAll(async () => {
  if (stack) await stack.stop('SIGTERM');
});

/** Spans of the one trace whose root is `rootName` and that has at least `minSpans` spans. */
async function traceWithRoot(rootName: string, minSpans: number, services: string[]): Promise<FlatSpan[]> {
  const summary = await eventually(async () => {
    const found = (await listTraces(stack)).filter((t) => t.rootName === rootName);
    const full = found.find((t) => t.spanCount >= minSpans && services.every((s) => t.services.includes(s)));
    return full;
  }, `a trace rooted at "${rootName}" with ${minSpans}+ spans from ${services.join(', ')}`);
  return flatten(await getTrace(stack, summary.traceId));
}

function one(spans: FlatSpan[], what: string, pred: (s: FlatSpan) => boolean): FlatSpan {
  const found = spans.filter(pred);
  expect(found, `exactly one ${what} in ${JSON.stringify(spans.map((s) => `${s.service}:${s.name}`))}`).toHaveLength(1);
  return found[0];
}

/** Failed requests, uncaught errors and console errors on a page, for asserting there are none. */
function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  page.on('requestfailed', (r) => problems.push(`failed ${r.url()} ${r.failure()?.errorText}`));
  page.on('pageerror', (e) => problems.push(`pageerror ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console ${m.text()}`));
  // Each test loads its page once. A second load is Vite's client reloading it: a file the page
  // imports changed (dist/ rebuilt during the run), and what was open (the viewer's event stream)
  // was aborted with it.
  let loads = 0;
  page.on('load', () => ++loads > 1 && problems.push(`reloaded by itself: ${page.url()}`));
  return problems;
}

async function flushPage(page: Page) {
  await page.evaluate(() => (window as unknown as { spanbeam: { flush(): Promise<void> } }).spanbeam.flush());
}

test('a click in the shop is one trace: interaction → fetch → backend → inventory → database', async ({ page }) => {
  const problems = watchPage(page);
  await page.goto(`${stack.app}/`);
  const add = page.locator('.card[data-sku="lens-35"] button');
  await add.click();
  await expect(page.locator('#status')).toHaveText(/^Added/);
  await flushPage(page);

  const spans = await traceWithRoot('click add to cart', 6, ['shop-web', 'shop-api', 'inventory']);
  const traceIds = new Set(spans.map((s) => s.traceId));
  expect(traceIds.size).toBe(1);

  const click = one(spans, 'interaction span', (s) => s.name === 'click add to cart');
  expect(click.service).toBe('shop-web');
  expect(click.parentSpanId).toBeUndefined();
  const fetchSpan = one(spans, 'fetch span', (s) => s.kind === OTLP_KIND.CLIENT && s.service === 'shop-web' && String(s.attrs['url.full']).endsWith('/api/cart'));
  expect(fetchSpan.parentSpanId).toBe(click.spanId);
  expect(fetchSpan.attrs['http.request.method']).toBe('POST');
  expect(fetchSpan.attrs['http.response.status_code']).toBe(200);
  const server = one(spans, 'backend server span', (s) => s.name === 'POST /api/cart');
  expect([server.service, server.kind, server.parentSpanId]).toEqual(['shop-api', OTLP_KIND.SERVER, fetchSpan.spanId]);
  const call = one(spans, 'backend call to inventory', (s) => s.service === 'shop-api' && s.kind === OTLP_KIND.CLIENT);
  expect(call.parentSpanId).toBe(server.spanId);
  expect(call.attrs['peer.service']).toBe('inventory');
  const inventory = one(spans, 'inventory server span', (s) => s.name === 'GET /stock');
  expect([inventory.service, inventory.kind, inventory.parentSpanId]).toEqual(['inventory', OTLP_KIND.SERVER, call.spanId]);
  const db = one(spans, 'database span', (s) => s.name === 'SELECT inventory');
  expect([db.service, db.kind, db.parentSpanId]).toEqual(['inventory', OTLP_KIND.CLIENT, inventory.spanId]);
  expect(db.attrs['db.system.name']).toBe('postgresql');
  expect(db.attrs['db.operation.name']).toBe('SELECT');

  // No part of this request was recorded under another trace id.
  const others = (await listTraces(stack)).filter((t) => t.rootName === 'POST /api/cart' || t.rootName === 'GET /stock');
  expect(others).toEqual([]);

  // Checkout: its slow payment step is in the same trace as the click that started it.
  await page.locator('#checkout').click();
  await expect(page.locator('#status')).toHaveText(/^Order ord_\w+ placed/, { timeout: 10_000 });
  await flushPage(page);
  const checkout = await traceWithRoot('click checkout', 8, ['shop-web', 'shop-api', 'inventory']);
  const post = one(checkout, 'checkout server span', (s) => s.name === 'POST /api/checkout');
  const pay = one(checkout, 'payment step', (s) => s.name === 'payment.authorize');
  expect(pay.parentSpanId).toBe(post.spanId);
  expect(pay.durationMs).toBeGreaterThanOrEqual(150);
  const update = one(checkout, 'inventory update', (s) => s.name === 'UPDATE inventory');
  expect(one(checkout, 'reserve span', (s) => s.name === 'POST /reserve').spanId).toBe(update.parentSpanId);
  one(checkout, 'order insert', (s) => s.name === 'INSERT orders' && s.parentSpanId === post.spanId);
  expect(problems).toEqual([]);
});

test('the page-load trace joins the server span of the HTML response', async ({ page }) => {
  const nav = page.waitForResponse((r) => r.url() === `${stack.app}/`);
  await page.goto(`${stack.app}/`);
  const serverTiming = (await nav).headers()['server-timing'];
  const meta = await page.locator('meta[name="traceparent"]').getAttribute('content');
  const [, traceId, spanId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[0-9a-f]$/.exec(meta ?? '') ?? [];
  expect(traceId, `meta traceparent ${meta}`).toBeTruthy();
  expect(serverTiming).toBe(`traceparent;desc="${meta}"`);
  await page.waitForFunction(() => document.readyState === 'complete');
  await page.locator('.card').first().waitFor();

  const spans = await eventually(async () => {
    await flushPage(page);
    const all = flatten(await getTrace(stack, traceId));
    return all.some((s) => s.name === 'documentLoad') ? all : undefined;
  }, 'the documentLoad span in the HTML response trace');
  const html = one(spans, 'HTML response span', (s) => s.spanId === spanId);
  expect([html.service, html.kind, html.name, html.parentSpanId]).toEqual(['shop-api', OTLP_KIND.SERVER, 'GET /pages/:page', undefined]);
  const load = one(spans, 'documentLoad', (s) => s.name === 'documentLoad');
  expect([load.service, load.parentSpanId]).toEqual(['shop-web', html.spanId]);
  one(spans, 'documentFetch', (s) => s.name === 'documentFetch' && s.parentSpanId === load.spanId);
});

test('the viewer page lists traces live, filters them, and opens one in <spanbeam-viewer>', async ({ page }) => {
  const [cart] = (await listTraces(stack)).filter((t) => t.rootName === 'click add to cart');
  expect(cart).toBeTruthy();
  const problems = watchPage(page);
  await page.goto(`${stack.viewer}/`);
  await expect(page.locator('#live')).toHaveText('live');
  const row = page.locator(`tr[data-trace-id="${cart.traceId}"]`);
  await expect(row).toContainText('click add to cart');
  await expect(row.locator('td').nth(4)).toHaveText(String(cart.spanCount));

  // Newest first.
  const starts = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.traceId));
  const listed = await listTraces(stack);
  expect(starts).toEqual(listed.map((t) => t.traceId));

  // Live: a failing call made now shows up without a reload, and the error filter keeps it.
  const failed = await fetch(`${stack.api}/api/recommendations?fail=1`);
  expect(failed.status).toBe(503);
  const errorRow = page.locator('tbody tr.has-errors', { hasText: 'GET /api/recommendations' });
  await expect(errorRow).toHaveCount(1);
  await page.locator('#errors').check();
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await expect(page.locator('tbody tr')).toContainText('GET /api/recommendations');
  await page.locator('#errors').uncheck();
  await page.locator('#service').selectOption('inventory');
  await expect(page.locator('tbody tr', { hasText: 'GET /api/recommendations' })).toHaveCount(0);
  await expect(row).toBeVisible();
  await page.locator('#service').selectOption('');

  // Open the click trace: the component reports every span of it.
  const loaded = page.evaluate(
    () => new Promise<{ slices: number; format: string }>((ok) => document.getElementById('viewer')!.addEventListener('spanbeam-load', (e) => ok((e as CustomEvent).detail), { once: true })),
  );
  await row.click();
  const detail = await loaded;
  expect(detail).toMatchObject({ slices: cart.spanCount, format: 'otlp-json' });
  await expect(page.locator('#load-status')).toHaveText(`${cart.spanCount} spans (otlp-json)`);
  // The README's screenshot comes from here: SPANBEAM_DOCS_SCREENSHOT=1 writes it to docs/images/.
  const shot = process.env.SPANBEAM_DOCS_SCREENSHOT === '1' ? resolve(import.meta.dirname, '../../docs/images/demo-viewer.png') : test.info().outputPath('demo-viewer.png');
  await page.locator('#detail').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot, fullPage: true });

  const otlpDownload = page.waitForEvent('download');
  await page.locator('#download-otlp').click();
  const otlp = JSON.parse(readFileSync((await (await otlpDownload).path())!, 'utf8'));
  expect(flatten(otlp)).toHaveLength(cart.spanCount);
  const chromeDownload = page.waitForEvent('download');
  await page.locator('#download-chrome').click();
  const chrome = JSON.parse(readFileSync((await (await chromeDownload).path())!, 'utf8')) as { traceEvents: Array<{ ph: string; name: string }> };
  expect(chrome.traceEvents.filter((e) => e.ph === 'X')).toHaveLength(cart.spanCount);
  expect(chrome.traceEvents.some((e) => e.ph === 'X' && e.name === 'SELECT inventory')).toBe(true);
  expect(problems).toEqual([]);
});

test('the viewer page opened while the receiver is down says so, then lists traces and opens the linked one once it answers', async ({ page }) => {
  const [cart] = (await listTraces(stack)).filter((t) => t.rootName === 'click add to cart');
  expect(cart).toBeTruthy();
  const receiver = `${stack.receiver}/**`;
  await page.route(receiver, (route) => route.abort('connectionrefused'));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${stack.viewer}/#trace=${cart.traceId}`);
  await expect(page.locator('#live')).toHaveText('reconnecting…');
  await page.unroute(receiver);
  await expect(page.locator('#live')).toHaveText('live', { timeout: 20_000 });
  await expect(page.locator(`tr[data-trace-id="${cart.traceId}"]`)).toContainText('click add to cart');
  await expect(page.locator('#load-status')).toHaveText(`${cart.spanCount} spans (otlp-json)`);
  expect(errors).toEqual([]);
});

test('a link to a trace the receiver does not hold says so on the page', async ({ page }) => {
  const missing = 'f'.repeat(32);
  await page.goto(`${stack.viewer}/#trace=${missing}`);
  await expect(page.locator('#live')).toHaveText('live');
  await expect(page.getByText(`Trace ${missing} not found`)).toBeVisible();
});

test('the script-tag page (IIFE build, data-* attributes only) produces connected spans', async ({ page }) => {
  const problems = watchPage(page);
  await page.goto(`${stack.app}/script-tag.html`);
  await page.locator('#load').click();
  await expect(page.locator('#status')).toHaveText(/^Loaded \d+ products/);
  await page.evaluate(() => (window as unknown as { Spanbeam: { getTracerProvider(): { forceFlush(): Promise<void> } } }).Spanbeam.getTracerProvider().forceFlush());
  const spans = await traceWithRoot('click load products', 5, ['shop-script-tag', 'shop-api', 'inventory']);
  const click = one(spans, 'interaction span', (s) => s.name === 'click load products');
  expect(click.service).toBe('shop-script-tag');
  const fetchSpan = one(spans, 'fetch span', (s) => s.service === 'shop-script-tag' && s.kind === OTLP_KIND.CLIENT);
  expect(fetchSpan.parentSpanId).toBe(click.spanId);
  const server = one(spans, 'backend server span', (s) => s.name === 'GET /api/products');
  expect(server.parentSpanId).toBe(fetchSpan.spanId);
  expect(problems).toEqual([]);
});

function portRefused(port: number): Promise<boolean> {
  return new Promise<boolean>((ok) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      ok(false);
    });
    socket.once('error', () => ok(true));
  });
}

test('Ctrl-C while the stack is starting stops it without claiming it is running', async () => {
  const ports = await freePorts(5);
  const [app, viewer, api, inventory, receiver] = ports;
  const dataDir = mkdtempSync(join(tmpdir(), 'spanbeam-demo-'));
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: resolve(import.meta.dirname, '../..'),
    env: { ...process.env, SPANBEAM_SKIP_BUILD: '1', SPANBEAM_DATA_DIR: dataDir, APP_PORT: `${app}`, VIEWER_PORT: `${viewer}`, API_PORT: `${api}`, INVENTORY_PORT: `${inventory}`, RECEIVER_PORT: `${receiver}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', ok));
  try {
    // The receiver listens first; the two Vite servers take a good while longer. Polled every
    // 5 ms: at eventually()'s 250 ms, a clean-clone CI run once saw the whole stack ready first.
    const until = Date.now() + 15_000;
    while (await portRefused(receiver)) {
      if (Date.now() > until) throw new Error('timed out waiting for the receiver to listen');
      await new Promise((ok) => setTimeout(ok, 5));
    }
    expect(out).not.toContain('ready');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
  expect(out).toContain('stopping…');
  expect(out).not.toContain('is running');
  expect(out).not.toContain('[spanbeam] ready');
  expect(out).not.toContain('exited before it was ready');
  for (const port of ports) expect(await portRefused(port), `port ${port} still open`).toBe(true);
});

test('Ctrl-C stops every process of the stack', async () => {
  expect(stack.pids.length).toBe(5);
  for (const pid of stack.pids) expect(isAlive(pid)).toBe(true);
  const ports = [stack.app, stack.viewer, stack.api, stack.inventory, stack.receiver].map((o) => Number(new URL(o).port));
  // Spans of a request just before Ctrl-C still reach the receiver: it stops last.
  expect((await fetch(`${stack.api}/api/products`)).status).toBe(200);
  const code = await stack.stop('SIGINT');
  expect(code).toBe(0);
  expect(stack.output()).not.toContain('cannot reach');
  for (const pid of stack.pids) expect(isAlive(pid), `pid ${pid} still running`).toBe(false);
  for (const port of ports) expect(await portRefused(port), `port ${port} still open`).toBe(true);
});
