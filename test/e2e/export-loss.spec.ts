// No span lost, none counted twice, on the outbox's edges: an exporter made during page hide
// before IndexedDB opened, spans ended by page-hide listeners after the exporter's own, two
// tabs dropping past the cap, and IndexedDB failing (quota, refused) when the page hides.
import { test, expect, chromium, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchOptions } from '../../scripts/browser.mjs';
import { app, collector, endpoint, endSpans, expectDelivered, names, openPage, pageUrl, receivedNames, resourceAttr, startGate, stats, useExportServers } from './export-support';

useExportServers();

/** A synthetic visibility change: the tab hides (or shows) and the page lives on. */
const visibility = (page: Page, v: 'hidden' | 'visible') =>
  page.evaluate((v) => {
    Object.defineProperty(document, 'visibilityState', { value: v, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, v);

test('offline when the tab hides or closes: no beacon (the browser would lose it); all of it is delivered back online', async ({ context }) => {
  const page = await context.newPage();
  const errors = await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  await context.setOffline(true);
  await endSpans(page, 'hidden', 5);
  await visibility(page, 'hidden'); // e.g. on a train, the user switches apps
  await endSpans(page, 'closed', 5);
  const next = await context.newPage();
  const closed = page.waitForEvent('close');
  await page.close({ runBeforeUnload: true });
  await closed;
  await context.setOffline(false);
  await openPage(next, pageUrl(app, { endpoint: endpoint() }));
  await expectDelivered(collector, [...names('hidden', 5), ...names('closed', 5)]);
  expect(errors).toEqual([]);
});

test('exporter made at pagehide, before IndexedDB opened: what the beacons cannot take reaches the next visit', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'spanbeam-profile-'));
  try {
    let ctx = await chromium.launchPersistentContext(dir, launchOptions({ headless: true }));
    let page = await ctx.newPage();
    // As start() does when the page closes before it is idle: the exporter is made at pagehide.
    await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000, lazy: 1 }));
    // About twice what may leave with the closing page, and within the 256 KiB of localStorage the
    // outbox may take for the rest.
    await endSpans(page, 'early', 250, 300);
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => receivedNames(collector.received).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(receivedNames(collector.received).length).toBeLessThan(250);
    await ctx.close(); // and the browser restarts
    ctx = await chromium.launchPersistentContext(dir, launchOptions({ headless: true }));
    page = await ctx.newPage();
    await openPage(page, pageUrl(app, { endpoint: endpoint() }));
    await expectDelivered(collector, names('early', 250), 1000);
    await ctx.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('… and when that page lives on, from it once IndexedDB opens, each span once', async ({ page }) => {
  const errors = await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000, lazy: 1 }));
  await endSpans(page, 'kept', 500, 300);
  // A pagehide the page survives (as into the back/forward cache), then the tab hides.
  await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
  await visibility(page, 'hidden');
  await expectDelivered(collector, names('kept', 500), 1000);
  expect(errors).toEqual([]);
});

test('spans ended by page-hide listeners that run after the exporter’s own are delivered', async ({ context }) => {
  let page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  // The app's listeners, added after the exporter's: some spans fit a beacon, the rest waits in the outbox.
  await page.evaluate(() => {
    const w = window as unknown as { endSpans(t: string, n: number, pad?: number): void };
    addEventListener('pagehide', () => w.endSpans('pagehide', 150, 300));
    addEventListener('unload', () => w.endSpans('unload', 5));
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => receivedNames(collector.received).length).toBeGreaterThan(0);
  page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  await expectDelivered(collector, [...names('pagehide', 150), ...names('unload', 5)], 1000);
});

test('a closing page destroyed before its IndexedDB writes commit: what the beacons cannot take reaches the next visit', async ({ context }) => {
  let page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  // The app ends spans as the tab closes: three times what may leave with it. On a loaded machine
  // Chromium can tear the document down before an IndexedDB transaction issued in visibilitychange
  // or pagehide commits: modelled as every IndexedDB write from beforeunload on landing nowhere and
  // never answering.
  await page.evaluate(() => {
    const w = window as unknown as { endSpans(t: string, n: number, pad?: number): void };
    addEventListener('beforeunload', () => {
      IDBObjectStore.prototype.put = () => undefined as unknown as IDBRequest<IDBValidKey>;
      IDBTransaction.prototype.addEventListener = () => undefined;
      w.endSpans('closing', 300, 300);
    });
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => receivedNames(collector.received).length).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 500));
  expect(receivedNames(collector.received).length).toBeLessThan(300);
  page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  await expectDelivered(collector, names('closing', 300), 1000);
});

/** The collector answers after `ms`: the outbox is still being drained when a page hides. */
const slowCollector = (ms: number) =>
  collector.route('/v1/traces', async (req, res, raw) => {
    collector.received.push({ method: 'POST', path: '/v1/traces', headers: req.headers, contentType: String(req.headers['content-type']), raw, json: JSON.parse(raw.toString()), at: Date.now() });
    await new Promise((r) => setTimeout(r, ms));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });

test('a page going away starts no send it cannot see answered: none is sent twice', async ({ context }) => {
  slowCollector(100);
  let page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 50 }));
  await page.evaluate(() => {
    const w = window as unknown as { posts: number };
    const f = fetch;
    w.posts = 0;
    window.fetch = (...a) => (w.posts++, f(...a));
  });
  const posts = () => page.evaluate(() => (window as unknown as { posts: number }).posts);
  await endSpans(page, 'd', 500, 300);
  await expect.poll(posts).toBeGreaterThanOrEqual(2);
  // Tabs closing run on for some ms after pagehide (timers, fetch answers): here, for as long as the test likes.
  const atHide = await page.evaluate(() => {
    dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    return (window as unknown as { posts: number }).posts;
  });
  await page.waitForTimeout(1000);
  expect(await posts()).toBe(atHide);
  await page.close({ runBeforeUnload: true });
  page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  await expectDelivered(collector, names('d', 500), 1000);
});

test('leaving the page while a batch is being sent: it is not sent again', async ({ page }) => {
  slowCollector(500);
  for (const outbox of ['memory', 'indexeddb']) {
    collector.received.length = 0;
    const url = pageUrl(app, { endpoint: endpoint(), delay: 20, outbox });
    await openPage(page, url);
    await endSpans(page, outbox, 10);
    await expect.poll(() => collector.received.length).toBe(1); // arrived; the answer is 500 ms away
    // Chromium fails the page's fetch as it navigates away, before pagehide; the request goes on.
    await openPage(page, url);
    await expectDelivered(collector, names(outbox, 10), 1500);
  }
});

test('closing a tab soon after it was hidden, while the outbox is being sent: none is sent twice', async ({ context }) => {
  slowCollector(400);
  let page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  await endSpans(page, 'h', 250, 300); // about 2.5 times what may leave with the hide
  await visibility(page, 'hidden'); // the beacons take their share; the rest goes to the outbox...
  await visibility(page, 'visible'); // ...and the page lives on: its drain loop sends from the outbox
  await new Promise((r) => setTimeout(r, 300));
  // A send made now, without keepalive (the budget is the beacons'), is cut off by the close after
  // the collector has it: counted undelivered, it would be sent again on the next visit.
  await page.close({ runBeforeUnload: true });
  page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  await expectDelivered(collector, names('h', 250), 1500);
});

test('the tab draining the shared outbox closes mid-drain: the other takes over, each span once', async ({ context }) => {
  slowCollector(50);
  const url = pageUrl(app, { endpoint: endpoint(), delay: 50 });
  const [a, b] = [await context.newPage(), await context.newPage()];
  await openPage(a, url);
  await openPage(b, url);
  await endSpans(a, 'a', 300, 300);
  await expect.poll(() => collector.received.length).toBeGreaterThanOrEqual(1); // tab a holds the drain lock
  await endSpans(b, 'b', 300, 300); // tab b's batches wait in the outbox for the lock
  await a.close({ runBeforeUnload: true });
  await expectDelivered(collector, [...names('a', 300), ...names('b', 300)], 1500);
});

test('two tabs over the outbox cap: each dropped span is counted, and reported, once', async ({ context }) => {
  // The collector is down (connection refused): both tabs' batches pile up in the shared outbox.
  const gate = await startGate(collector.port);
  await gate.close();
  const url = pageUrl(app, { endpoint: `http://127.0.0.1:${gate.port}/v1/traces`, delay: 20, retry: 60_000, retryMax: 300_000, cap: 12_000 });
  const [a, b] = [await context.newPage(), await context.newPage()];
  await openPage(a, url);
  await openPage(b, url);
  const rounds = 10;
  for (let r = 0; r < rounds; r++) {
    // ~6 KB a batch: the outbox holds two.
    await Promise.all([endSpans(a, `a${r}`, 10, 400), endSpans(b, `b${r}`, 10, 400)]);
    await a.waitForTimeout(100);
  }
  await expect.poll(async () => (await stats(a)).retries + (await stats(b)).retries).toBeGreaterThan(0);
  await gate.open();
  for (const p of [a, b]) await p.evaluate(() => dispatchEvent(new Event('online')));
  await expect.poll(async () => (await stats(a)).queued + (await stats(b)).queued, { timeout: 15_000 }).toBe(0);
  // The next batches announce the drops.
  await endSpans(a, 'fin-a', 1);
  await endSpans(b, 'fin-b', 1);
  await expect.poll(() => receivedNames(collector.received).filter((n) => n.startsWith('fin')).length).toBe(2);
  await a.waitForTimeout(500);
  const delivered = receivedNames(collector.received);
  expect(new Set(delivered).size).toBe(delivered.length);
  const [sa, sb] = [await stats(a), await stats(b)];
  const dropped = (sa.dropped.outbox_bytes ?? 0) + (sb.dropped.outbox_bytes ?? 0);
  expect(dropped).toBeGreaterThan(0);
  expect(delivered.length + dropped).toBe(2 * 10 * rounds + 2);
  const reported = collector.received.map((r) => Number(resourceAttr(r, 'spanbeam.export.dropped_spans')?.intValue ?? 0));
  expect(reported.reduce((x, y) => x + y, 0)).toBe(dropped);
  await gate.close();
});

test('IndexedDB over quota when the tab hides: what it could not store is delivered once the page shows', async ({ page, context }) => {
  const errors = await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  const cdp = await context.newCDPSession(page);
  const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin: app.origin });
  // Room for a little more than the database already takes: a real QuotaExceededError on the hide's write.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: app.origin, quotaSize: usage + 20_000 });
  await endSpans(page, 'q', 150, 1000); // ~170 KB: two beacons, the rest to the outbox
  await visibility(page, 'hidden');
  await visibility(page, 'visible');
  await expectDelivered(collector, names('q', 150), 1000);
  expect(errors).toEqual([]);
});

test('IndexedDB transactions that abort (quota, I/O errors): nothing surfaces in the page as an unhandled rejection', async ({ page }) => {
  const errors = await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  await page.evaluate(() => {
    const w = window as unknown as { rejections: string[] };
    w.rejections = [];
    addEventListener('unhandledrejection', (e) => w.rejections.push(String(e.reason)));
    // Every transaction aborts once its requests are issued: each request fails, then the transaction.
    IDBTransaction.prototype.commit = function (this: IDBTransaction) {
      this.abort();
    };
  });
  await endSpans(page, 'a', 150, 1000); // ~170 KB: two beacons, the rest to the outbox
  await visibility(page, 'hidden');
  await visibility(page, 'visible');
  await expectDelivered(collector, names('a', 150), 1000);
  expect(await page.evaluate(() => (window as unknown as { rejections: string[] }).rejections)).toEqual([]);
  expect(errors).toEqual([]);
});

test('IndexedDB refused: what the beacons cannot take when the tab closes reaches the next visit', async ({ context }) => {
  let page = await context.newPage();
  await page.addInitScript(() => {
    indexedDB.open = () => {
      throw new DOMException('blocked by policy', 'SecurityError');
    };
  });
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  await endSpans(page, 'mem', 250, 300);
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => receivedNames(collector.received).length).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 500));
  expect(receivedNames(collector.received).length).toBeLessThan(250); // the beacons took only part
  page = await context.newPage(); // IndexedDB works again
  await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  await expectDelivered(collector, names('mem', 250), 1000);
});

/** A collector answering 503 (or `status`, `lagMs` late) until `up()`; what it accepts is recorded. */
const failingCollector = (status = 503, lagMs = 0) => {
  let down = true;
  collector.route('/v1/traces', (req, res, raw) => {
    if (down) return void setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'), lagMs);
    collector.received.push({ method: 'POST', path: '/v1/traces', headers: req.headers, contentType: String(req.headers['content-type']), raw, json: JSON.parse(raw.toString()), at: Date.now() });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  return { up: () => void (down = false) };
};

for (const outbox of ['indexeddb', 'memory'])
  test(`the tab hides while the collector answers 503 (${outbox} outbox): no span goes to a beacon whose refusal is unseen`, async ({ page }) => {
    const c = failingCollector();
    await openPage(page, pageUrl(app, { endpoint: endpoint(), outbox, delay: 60_000, retry: 1000, retryMax: 1000 }));
    await endSpans(page, 'a', 5);
    void page.evaluate(() => (window as unknown as { exporter: { flush(): Promise<void> } }).exporter.flush());
    await expect.poll(async () => (await stats(page)).retries).toBe(1);
    await endSpans(page, 'b', 5); // still pending when the tab hides
    await visibility(page, 'hidden');
    await visibility(page, 'visible');
    c.up();
    await expectDelivered(collector, [...names('a', 5), ...names('b', 5)]);
    expect(await stats(page)).toMatchObject({ sent: 10, queued: 0, dropped: {} });
  });

test('the tab hides while offline: its spans wait in the outbox (a beacon would be lost) and arrive once online', async ({ page, context }) => {
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  await context.setOffline(true);
  await endSpans(page, 'off', 5);
  await visibility(page, 'hidden');
  expect((await stats(page)).beacons).toBe(0);
  await visibility(page, 'visible');
  await context.setOffline(false);
  await expectDelivered(collector, names('off', 5));
  expect(await stats(page)).toMatchObject({ sent: 5, queued: 0 });
});

test('with headers, a final answer (401) to a page-hide send is counted dropped, not sent', async ({ page }) => {
  failingCollector(401);
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000, headers: JSON.stringify({ authorization: 'Bearer expired' }) }));
  await endSpans(page, 'auth', 5);
  await visibility(page, 'hidden'); // keepalive fetch (a beacon cannot carry the header); the page lives on
  await expect.poll(async () => (await stats(page)).dropped).toEqual({ http_401: 5 });
  expect(await stats(page)).toMatchObject({ sent: 0, queued: 0 });
});

test('the tab closes while the collector answers 503 (indexeddb outbox): its spans wait for the next visit', async ({ context }) => {
  // Its refusals come late, as from a distant collector: after the closed page is gone.
  const c = failingCollector(503, 1500);
  let page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000, retry: 60_000, retryMax: 60_000 }));
  await endSpans(page, 'a', 5);
  void page.evaluate(() => (window as unknown as { exporter: { flush(): Promise<void> } }).exporter.flush());
  await expect.poll(async () => (await stats(page)).retries).toBe(1);
  await endSpans(page, 'b', 5);
  // A closing tab is hidden first, then unloaded (Playwright's close does not hide it). A send now
  // would be refused after the page is gone, unseen.
  await visibility(page, 'hidden');
  await page.close({ runBeforeUnload: true });
  c.up();
  page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  await expectDelivered(collector, [...names('a', 5), ...names('b', 5)]);
});

test('drops no batch announced before the tab closed are announced by the next visit', async ({ context }) => {
  // The collector is down (connection refused): batches pile up past the cap, the oldest are dropped.
  const gate = await startGate(collector.port);
  await gate.close();
  const url = pageUrl(app, { endpoint: `http://127.0.0.1:${gate.port}/v1/traces`, delay: 20, retry: 60_000, retryMax: 300_000, cap: 12_000 });
  let page = await context.newPage();
  await openPage(page, url);
  for (let r = 0; r < 6; r++) {
    await endSpans(page, `r${r}`, 10, 400); // ~6 KB a batch: the outbox holds two
    await page.waitForTimeout(100);
  }
  await expect.poll(async () => (await stats(page)).dropped.outbox_bytes ?? 0).toBeGreaterThan(0);
  await page.evaluate(() => (window as unknown as { exporter: { flush(): Promise<void> } }).exporter.flush());
  const dropped = (await stats(page)).dropped.outbox_bytes!;
  await page.close({ runBeforeUnload: true }); // no span left to end: no batch to announce the last drops
  await gate.open();
  page = await context.newPage();
  await openPage(page, url);
  await endSpans(page, 'next', 1);
  await expect.poll(() => receivedNames(collector.received).includes('next-0')).toBe(true);
  await page.waitForTimeout(500);
  const reported = collector.received.map((r) => Number(resourceAttr(r, 'spanbeam.export.dropped_spans')?.intValue ?? 0));
  expect(reported.reduce((x, y) => x + y, 0)).toBe(dropped);
  expect(receivedNames(collector.received).length + dropped).toBe(61);
  await gate.close();
});
