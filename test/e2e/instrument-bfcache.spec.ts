// A real back/forward cache restore. Playwright launches Chromium with --disable-back-forward-cache
// (so that goBack() always reloads); without that flag the page below really is frozen and restored.
import { test, expect, type Page } from '@playwright/test';
import { launchOptions } from '../../scripts/browser.mjs';
import type { TestServer } from '../support/server';
import { appServer, byName, one, received, waitForSpans, type RSpan } from './instrument-support';

test.use({ launchOptions: launchOptions({ ignoreDefaultArgs: ['--disable-back-forward-cache'] }) });

let server: TestServer;
let delayMs = 0;
let pending = 0; // collector answers not yet sent
test.beforeEach(async () => {
  server = await appServer();
  delayMs = 0;
  pending = 0;
  // A collector whose answers can be held back, so that a send is in flight when the page is left.
  server.route('/c/v1/traces', (req, res, raw) => {
    server.received.push({ method: 'POST', path: '/v1/traces', headers: req.headers, contentType: String(req.headers['content-type']), raw, json: JSON.parse(raw.toString()), at: Date.now() });
    pending++;
    setTimeout(() => (pending--, res.writeHead(200, { 'content-type': 'application/json' }).end('{"partialSuccess":{}}')), delayMs);
  });
});
test.afterEach(async () => server.close());

// Both pages run the SDK with the default (IndexedDB) outbox, shared by the origin's pages.
const SDK = `<script>window.shows = []; addEventListener('pageshow', (e) => shows.push([e.persisted, performance.timeOrigin + e.timeStamp]));</script>
<script src="/sb.js"></script><script>window.handle = Spanbeam.start({ serviceName: 'bf', endpoint: '/c/v1/traces', exporter: { maxDelayMs: 60000 } });</script>`;

const endSpans = (page: Page, tag: string) =>
  page.evaluate((t) => {
    const h = (window as unknown as { handle: { tracer: { startSpan(n: string): { end(): void } }; flush(): Promise<void> } }).handle;
    for (let i = 0; i < 3; i++) h.tracer.startSpan(`${t}-${i}`).end();
  }, tag);
const custom = (spans: RSpan[]) => spans.map((s) => s.name).filter((n) => /^(sent|kept|after)-/.test(n)).sort();
const url = (s: RSpan) => String(s.attributes['url.full']);

test('bfcache restore: the page is really restored, gets a new documentLoad and web vitals, and no span is lost or sent twice', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.enable');
  const notRestored: unknown[] = [];
  cdp.on('Page.backForwardCacheNotUsed', (e) => notRestored.push(e.notRestoredExplanations));
  server.page('/a.html', `<!doctype html>${SDK}<h1 style="font-size:48px">page a</h1><a id="next" href="/b.html">next</a>`);
  server.page('/b.html', `<!doctype html>${SDK}<p>page b</p>`);

  await page.goto(`${server.origin}/a.html`);
  await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  // A send in flight when the page is left: its tab holds the outbox's drain lock (Web Locks).
  delayMs = 4000;
  await endSpans(page, 'sent');
  void page.evaluate(() => void (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  await expect.poll(() => custom(received(server))).toEqual(['sent-0', 'sent-1', 'sent-2']);
  delayMs = 0;
  await endSpans(page, 'kept'); // still in memory at pagehide
  await page.click('#next');
  await page.waitForURL('**/b.html');
  // The next page of the origin drains the shared outbox too: it asks for the same lock.
  await waitForSpans(page, server, (s) => s.some((x) => x.name === 'documentLoad' && url(x).endsWith('/b.html')));

  await page.goBack({ waitUntil: 'commit' }); // a restore fires no load event
  await page.waitForFunction(() => 'handle' in window && (window as unknown as { shows: unknown[] }).shows.length > 0);
  await page.waitForTimeout(300);
  const shows = await page.evaluate(() => (window as unknown as { shows: Array<[boolean, number]> }).shows);
  expect({ persisted: shows.map((s) => s[0]), notRestored }).toEqual({ persisted: [false, true], notRestored: [] });

  await endSpans(page, 'after');
  const isA = (s: RSpan) => s.name === 'documentLoad' && url(s).endsWith('/a.html');
  const restoredVital = (s: RSpan, n: string) => s.name === n && s.attributes['browser.web_vital.navigation_type'] === 'back-forward-cache';
  await waitForSpans(page, server, (s) => custom(s).length >= 9 && s.filter(isA).length === 2 && ['TTFB', 'FCP', 'LCP'].every((n) => s.some((x) => restoredVital(x, n))));
  // The send that was in flight is answered (after the restore): nothing more may be sent.
  await expect.poll(() => pending, { timeout: 10_000 }).toBe(0);
  await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  await page.waitForTimeout(500);

  const spans = received(server);
  expect(custom(spans)).toEqual(['after-0', 'after-1', 'after-2', 'kept-0', 'kept-1', 'kept-2', 'sent-0', 'sent-1', 'sent-2']);
  const ids = spans.map((s) => s.spanId);
  expect(ids.length - new Set(ids).size, 'spans received twice').toBe(0);
  const restored = one(spans, (s) => isA(s) && s.attributes['browser.navigation.type'] === 'back_forward_cache');
  expect(Math.abs(restored.start - shows[1][1])).toBeLessThan(2);
  for (const n of ['TTFB', 'FCP', 'LCP']) {
    const v = one(spans, (s) => restoredVital(s, n));
    expect(v.parentSpanId, n).toBe(restored.spanId);
    expect(Math.abs(v.start - restored.start), n).toBeLessThan(2);
  }
  // The first visit's final LCP was reported once, when it was hidden.
  const first = one(spans, (s) => isA(s) && s.attributes['browser.navigation.type'] === 'navigate');
  expect(spans.filter((s) => s.name === 'LCP' && s.parentSpanId === first.spanId)).toHaveLength(1);
});
