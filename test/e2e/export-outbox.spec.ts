// The outbox: spans survive a reload, a closed tab (persistent profile, next visit), many tabs
// at once without duplicates, and pages without IndexedDB.
import { test, expect, chromium } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchOptions } from '../../scripts/browser.mjs';
import { app, collector, endpoint, endSpans, expectDelivered, names, openPage, pageUrl, receivedNames, stats, useExportServers } from './export-support';

useExportServers();


test('spans ended just before a reload arrive once', async ({ page }) => {
  // A long batch delay: the spans are still in memory when the page goes away.
  const url = pageUrl(app, { endpoint: endpoint(), delay: 60_000 });
  await openPage(page, url);
  await endSpans(page, 'reload', 15);
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  await expectDelivered(collector, names('reload', 15));
});

test('batches waiting in the outbox when the page reloads are sent by the next page', async ({ page }) => {
  // The collector is overloaded for the first page; its batch waits in IndexedDB. (Cross-origin,
  // Retry-After is unreadable unless exposed, as with the Collector: the exporter's own backoff applies.)
  collector.scripted.push({ status: 503, headers: { 'retry-after': '120' } });
  const url = pageUrl(app, { endpoint: endpoint(), retry: 60_000, retryMax: 300_000 });
  await openPage(page, url);
  await endSpans(page, 'waiting', 10);
  await expect.poll(async () => (await stats(page)).retries).toBe(1);
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  await expectDelivered(collector, names('waiting', 10));
  await expect.poll(() => stats(page)).toMatchObject({ ended: 0, sent: 10, queued: 0 });
});

test('closed tab: spans go out by beacon; what the collector refused reaches it on the next visit', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'spanbeam-profile-'));
  try {
    let ctx = await chromium.launchPersistentContext(dir, launchOptions({ headless: true }));
    let page = await ctx.newPage();
    const url = pageUrl(app, { endpoint: endpoint(), delay: 60_000 });
    await openPage(page, url);
    // 1. Spans still in memory when a person closes the tab: sent by sendBeacon with a JSON Blob,
    //    a credentialed CORS request the cross-origin collector accepts.
    await endSpans(page, 'closed', 20);
    await page.close({ runBeforeUnload: true });
    await expectDelivered(collector, names('closed', 20));
    const r = collector.received[0];
    expect(r.contentType).toBe('application/json');
    expect(r.headers.origin).toBe(app.origin);
    // 2. The collector is down for a visit: its spans wait in IndexedDB across a browser restart.
    collector.received.length = 0;
    collector.scripted.push({ status: 503, headers: { 'retry-after': '120' } });
    page = await ctx.newPage();
    await openPage(page, pageUrl(app, { endpoint: endpoint(), retry: 60_000, retryMax: 300_000 }));
    await endSpans(page, 'later', 7);
    await expect.poll(async () => (await stats(page)).retries).toBe(1);
    await page.close({ runBeforeUnload: true });
    await ctx.close();
    expect(collector.received).toHaveLength(0);
    ctx = await chromium.launchPersistentContext(dir, launchOptions({ headless: true }));
    page = await ctx.newPage();
    await openPage(page, pageUrl(app, { endpoint: endpoint() }));
    await expectDelivered(collector, names('later', 7));
    await ctx.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('more than the 64 KiB page-hide budget: the rest stays in the outbox for the next page', async ({ context }) => {
  let page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  // ~400 bytes each: about 200 KB, three times what may leave with the closing page.
  await endSpans(page, 'big', 500, 300);
  // The 400 sealed so far are committed (queued counts them once committed, and the 100 pending):
  // what a tab seals in its last moments is stored by localStorage's 256 KiB share, or by an
  // IndexedDB write at pagehide that may not commit on a loaded machine (README, known limitations).
  await expect.poll(async () => ((s) => s.sent + s.queued)(await stats(page))).toBe(500);
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => receivedNames(collector.received).length).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 500));
  expect(receivedNames(collector.received).length).toBeLessThan(500);
  page = await context.newPage();
  await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  await expectDelivered(collector, names('big', 500));
});

test('a burst sealed into many batches is stored in one IndexedDB transaction', async ({ page }) => {
  // One transaction per batch took as many round trips to commit: a tab closing meanwhile had more left to park.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    const txs: IDBTransaction[] = ((window as unknown as { putTxs: IDBTransaction[] }).putTxs = []);
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...a: Parameters<IDBObjectStore['put']>) {
      txs.push(this.transaction);
      return put.apply(this, a);
    };
  });
  await openPage(page, pageUrl(app, { endpoint: endpoint(), delay: 60_000 }));
  await endSpans(page, 'burst', 200, 300);
  await expectDelivered(collector, names('burst', 200));
  const [puts, txs] = await page.evaluate(() => ((t) => [t.length, new Set(t).size])((window as unknown as { putTxs: IDBTransaction[] }).putTxs));
  expect(collector.received.length).toBeGreaterThan(2);
  expect(puts).toBe(collector.received.length);
  expect(txs).toBe(1);
});

test('two tabs share the outbox: everything arrives, nothing twice', async ({ context }) => {
  // A struggling collector makes both tabs' batches pile up in the shared outbox.
  for (let i = 0; i < 3; i++) collector.scripted.push({ status: 503, headers: { 'retry-after': '1', 'access-control-expose-headers': 'Retry-After' } });
  const url = pageUrl(app, { endpoint: endpoint(), delay: 50 });
  const [a, b] = [await context.newPage(), await context.newPage()];
  await openPage(a, url);
  await openPage(b, url);
  const expected: string[] = [];
  for (let round = 0; round < 4; round++) {
    await Promise.all([endSpans(a, `a${round}`, 10), endSpans(b, `b${round}`, 10)]);
    expected.push(...names(`a${round}`, 10), ...names(`b${round}`, 10));
    await a.waitForTimeout(150);
  }
  await expectDelivered(collector, expected, 1500);
  const batchIds = collector.received.map((r) => JSON.stringify(r.json).match(/"spanbeam\.batch\.id","value":\{"stringValue":"(\w+)"/)?.[1]);
  expect(new Set(batchIds).size).toBe(collector.received.length);
  const [sa, sb] = [await stats(a), await stats(b)];
  expect(sa.ended + sb.ended).toBe(80);
  expect(sa.sent + sb.sent).toBe(80);
});

test('without IndexedDB the outbox lives in memory, with no errors in the page', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
  });
  const errors = await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  expect(await page.evaluate(() => typeof indexedDB)).toBe('undefined');
  await endSpans(page, 'mem', 9);
  await expectDelivered(collector, names('mem', 9));
  expect(await page.evaluate(() => (window as unknown as { S: { getSelfCounters(): Record<string, number> } }).S.getSelfCounters())).toMatchObject({
    'export.outbox_memory': 1,
  });
  // And the page-hide path still works from memory.
  await page.evaluate(() => (window as unknown as { endSpans(t: string, n: number): void }).endSpans('mem-hide', 4));
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => receivedNames(collector.received).length).toBe(13);
  expect(errors).toEqual([]);
});

test('IndexedDB that refuses to open falls back to memory', async ({ page }) => {
  await page.addInitScript(() => {
    indexedDB.open = () => {
      throw new DOMException('blocked by policy', 'SecurityError');
    };
  });
  const errors = await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  await endSpans(page, 'refused', 5);
  await expectDelivered(collector, names('refused', 5));
  expect(await page.evaluate(() => (window as unknown as { S: { getSelfCounters(): Record<string, number> } }).S.getSelfCounters())).toMatchObject({
    'export.outbox_memory': 1,
  });
  expect(errors).toEqual([]);
});

test('the app deleting the outbox database is not blocked by the SDK, and delivery goes on', async ({ page }) => {
  const errors = await openPage(page, pageUrl(app, { endpoint: endpoint() }));
  await endSpans(page, 'before', 3);
  await expectDelivered(collector, names('before', 3));
  // E.g. a logout that clears the origin's databases: our open connection must not block it.
  const result = await page.evaluate(
    () =>
      new Promise<string>((done) => {
        const req = indexedDB.deleteDatabase('spanbeam-outbox');
        req.onsuccess = () => done('deleted');
        req.onerror = () => done('error');
        setTimeout(() => done('blocked'), 3000);
      }),
  );
  expect(result).toBe('deleted');
  await endSpans(page, 'after', 4);
  await expectDelivered(collector, [...names('before', 3), ...names('after', 4)]);
  expect(await page.evaluate(() => (window as unknown as { S: { getSelfCounters(): Record<string, number> } }).S.getSelfCounters())).not.toHaveProperty('export.outbox_memory');
  expect(errors).toEqual([]);
});
