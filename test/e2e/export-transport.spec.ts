// Delivery under network trouble, asserted on what a local collector received: offline then
// online, collector refusing connections then back, 503 + Retry-After, 400 (final, counted).
import { test, expect } from '@playwright/test';
import { app, collector, endSpans, expectDelivered, names, openPage, pageUrl, resourceAttr, startGate, stats, useExportServers } from './export-support';

useExportServers();

test('same-origin and cross-origin collectors receive valid OTLP JSON, each span once', async ({ page }) => {
  const errors = await openPage(page, pageUrl(app, { endpoint: `${collector.origin}/v1/traces` }));
  await endSpans(page, 'x', 25);
  await expectDelivered(collector, names('x', 25));
  expect(collector.received[0].headers.origin).toBe(app.origin);
  expect(await stats(page)).toMatchObject({ ended: 25, sent: 25, queued: 0, dropped: {} });
  expect(errors).toEqual([]);
});

test('offline then online: spans wait, then arrive once', async ({ page, context }) => {
  const errors = await openPage(page, pageUrl(app, { endpoint: `${collector.origin}/v1/traces` }));
  await context.setOffline(true);
  await endSpans(page, 'off', 12);
  await page.waitForTimeout(800);
  expect(collector.received).toHaveLength(0);
  expect((await stats(page)).queued).toBe(12);
  await context.setOffline(false);
  await expectDelivered(collector, names('off', 12));
  expect(await stats(page)).toMatchObject({ ended: 12, sent: 12, queued: 0 });
  expect(errors).toEqual([]);
});

test('collector down (connection refused) then up: retried until delivered', async ({ page }) => {
  const gate = await startGate(collector.port);
  await gate.close();
  const errors = await openPage(page, pageUrl(app, { endpoint: `http://127.0.0.1:${gate.port}/v1/traces`, retry: 200, retryMax: 800 }));
  await endSpans(page, 'down', 8);
  await expect.poll(async () => (await stats(page)).retries, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  expect(collector.received).toHaveLength(0);
  await gate.open();
  await expectDelivered(collector, names('down', 8));
  expect(await stats(page)).toMatchObject({ sent: 8, queued: 0, dropped: {} });
  await gate.close();
  // Chromium logs refused connections as console errors; nothing else may appear.
  expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
});

test('503 with Retry-After, then 200: waits as told, then delivers each span once', async ({ page }) => {
  collector.scripted.push({
    status: 503,
    headers: { 'retry-after': '1', 'access-control-expose-headers': 'Retry-After' },
  });
  // Backoff alone would wait 4–8 s; Retry-After says 1 s.
  await openPage(page, pageUrl(app, { endpoint: `${collector.origin}/v1/traces`, retry: 8000, retryMax: 10_000 }));
  await endSpans(page, 'r', 6);
  await expect.poll(() => collector.requests.filter((r) => r.method === 'POST').length, { intervals: [20] }).toBe(1);
  const first = Date.now();
  await expectDelivered(collector, names('r', 6), 200);
  const waited = collector.received[0].at - first;
  expect(waited).toBeGreaterThan(600);
  expect(waited).toBeLessThan(3500); // backoff alone: ≥ 4 s
  const posts = collector.requests.filter((r) => r.method === 'POST');
  expect(posts).toHaveLength(2);
  expect(resourceAttr(collector.received[0], 'spanbeam.batch.id')?.stringValue).toBeTruthy();
  expect(await stats(page)).toMatchObject({ sent: 6, retries: 1, queued: 0 });
});

test('400 is final: dropped, counted, and reported on the next batch', async ({ page }) => {
  collector.scripted.push({ status: 400, body: '{"code":3,"message":"bad"}' });
  await openPage(page, pageUrl(app, { endpoint: `${collector.origin}/v1/traces` }));
  await endSpans(page, 'bad', 5);
  await expect.poll(async () => (await stats(page)).dropped.http_400, { timeout: 10_000 }).toBe(5);
  await page.waitForTimeout(600); // no retry of a final answer
  expect(collector.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  await endSpans(page, 'good', 2);
  await expectDelivered(collector, names('good', 2));
  expect(resourceAttr(collector.received[0], 'spanbeam.export.dropped_spans')).toEqual({ intValue: '5' });
  expect(await stats(page)).toMatchObject({ ended: 7, sent: 2, dropped: { http_400: 5 } });
});

test('429 with Retry-After 0, or a date already past (the page clock ahead), backs off instead of retrying at once', async ({ page }) => {
  const past = new Date(Date.now() - 3_600_000).toUTCString();
  for (let i = 0; i < 100; i++)
    collector.scripted.push({ status: 429, headers: { 'retry-after': i % 2 ? past : '0', 'access-control-expose-headers': 'Retry-After' } });
  await openPage(page, pageUrl(app, { endpoint: `${collector.origin}/v1/traces`, retry: 1000, retryMax: 2000 }));
  await endSpans(page, 'ra', 3);
  await expect.poll(() => collector.requests.filter((r) => r.method === 'POST').length).toBe(1);
  await page.waitForTimeout(3000);
  // Backoff from 0.5–1 s, at most 2 s: a few retries (retried every 50 ms, it was ~30).
  expect(collector.requests.filter((r) => r.method === 'POST').length).toBeLessThanOrEqual(6);
  collector.scripted.length = 0;
  await expectDelivered(collector, names('ra', 3));
});
