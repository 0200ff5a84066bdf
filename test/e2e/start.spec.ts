// start() makes the exporter when the page is first idle. Spans that end before then must still
// arrive, however the page goes away first: hidden, closed, or navigated away from.
import { test, expect, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, received, waitForSpans } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
  server.page('/next.html', '<!doctype html><p>next</p>');
});
test.afterEach(async () => server.close());

// The page is never idle, so only the page-hide path can make the exporter. Whether it exists is
// seen from outside: its IndexedDB outbox is opened when it is made.
const PAGE = `<!doctype html><script>
  window.requestIdleCallback = () => 0;
  const open = indexedDB.open.bind(indexedDB);
  window.opened = 0;
  indexedDB.open = (...a) => (window.opened++, open(...a));
</script>
<script src="/sb.js"></script>
<script>
  window.handle = Spanbeam.start({ serviceName: 'start-test', endpoint: '/v1/traces', instrumentations: { documentLoad: false } });
  window.handle.tracer.startSpan('early').end();
</script>`;

async function open(page: Page): Promise<void> {
  server.page('/early.html', PAGE);
  await page.goto(`${server.origin}/early.html`);
  await page.waitForTimeout(100);
  expect(await page.evaluate(() => (window as unknown as { opened: number }).opened), 'no exporter before the page is idle').toBe(0);
}

const earlySpans = () => received(server).filter((s) => s.name === 'early');

test('spans ended before the exporter exists are sent when the page hides', async ({ page }) => {
  await open(page);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await server.waitForReceived(1);
  expect(earlySpans()).toHaveLength(1);
  expect(server.received[0].contentType).toBe('application/json');
});

test('… when the page is closed', async ({ page }) => {
  await open(page);
  await page.close({ runBeforeUnload: true });
  await server.waitForReceived(1);
  expect(earlySpans()).toHaveLength(1);
});

test('… when the page navigates away', async ({ page }) => {
  await open(page);
  await page.goto(`${server.origin}/next.html`);
  await server.waitForReceived(1);
  expect(earlySpans()).toHaveLength(1);
});

test('… and otherwise once the page is idle, with flush() making it at once', async ({ page }) => {
  server.page('/idle.html', PAGE.replace('window.requestIdleCallback = () => 0;', ''));
  await page.goto(`${server.origin}/idle.html`);
  await page.waitForFunction(() => (window as unknown as { opened: number }).opened === 1);
  const spans = await waitForSpans(page, server, (s) => s.some((x) => x.name === 'early'));
  expect(spans.filter((s) => s.name === 'early')).toHaveLength(1);

  server.page('/flush.html', PAGE);
  await page.goto(`${server.origin}/flush.html`);
  await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  expect(earlySpans()).toHaveLength(2);
});

// A request still in flight when the tab closes ends at `pagehide`. Its span must end before the
// exporter's own page-hide listener runs, even when the page's first request comes after the
// exporter was made (at idle): else it would end after the last send and be lost.
test('a request in flight when the tab closes is sent, also when it is the page’s first one after idle', async ({ page }) => {
  server.page(
    '/inflight.html',
    `<!doctype html><script src="/sb.js"></script>
     <script>window.handle = Spanbeam.start({ serviceName: 'start-test', endpoint: '/v1/traces', instrumentations: { documentLoad: false, webVitals: false, longTasks: false } });</script>`,
  );
  await page.goto(`${server.origin}/inflight.html`);
  // The exporter exists (made at idle; flush() makes it at once).
  await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  await page.evaluate(() => {
    // Only pagehide is left to save the span: the visibilitychange Chromium fires after it on close
    // (the tab was visible) must not, as for a tab already hidden before it is closed.
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    void fetch('/api/slow');
  });
  await page.waitForTimeout(100);
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => received(server).filter((s) => s.name === 'GET').length, { timeout: 5000 }).toBe(1);
});

test('sampleRate: a value that is not a number from 0 to 1 records every trace, with a warning; started again after shutdown(), the new rate applies', async ({ page }) => {
  server.page('/rate.html', '<!doctype html><script src="/sb.js"></script>');
  await page.goto(`${server.origin}/rate.html`);
  const r = await page.evaluate(async () => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/index') }).Spanbeam;
    const sampled = (h: { tracer: { startSpan(n: string): { spanContext(): { traceFlags: number } } } }) => h.tracer.startSpan('x').spanContext().traceFlags & 1;
    const opts = { instrumentations: { documentLoad: false, webVitals: false, longTasks: false } };
    const out: unknown[] = [];
    let h = S.start({ ...opts, sampleRate: 0 });
    out.push(sampled(h));
    await h.shutdown();
    h = S.start(opts); // the default rate, 1
    out.push(sampled(h));
    await h.shutdown();
    h = S.start({ ...opts, sampleRate: '0.5' as unknown as number }); // plain JS
    out.push(sampled(h), S.getSelfCounters()['start.bad_sample_rate']);
    await h.shutdown();
    return out;
  });
  expect(r).toEqual([0, 1, 1, 1]);
});

test('instrumentation options with bad values (plain JS) take their defaults, with a warning each, and every instrumentation still works', async ({ page }) => {
  // Before: `events: 'click'` listened for 'c', 'l', 'i' and 'k' (no interaction span), a NaN
  // activity window never took the click's request, a NaN `errors.max` recorded no error, and
  // `maxResources: -1` no resource.
  const bad = {
    interactions: { events: 'click', activityWindowMs: NaN },
    documentLoad: { maxResources: -1 },
    errors: { max: NaN },
    longTasks: { maxScripts: 'x', max: -5 },
    webVitals: { reportAllChanges: 'yes' },
  };
  server.page(
    '/bad.html',
    `<!doctype html><img src="/api/data?img"><button id="go">go</button><script src="/sb.js"></script><script>
      window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 }, instrumentations: ${JSON.stringify(bad).replaceAll('null', 'NaN')} });
      // The request after a native await and a timer: only the activity window makes it the click's.
      go.addEventListener('click', async () => { await null; setTimeout(() => fetch('/api/data?after-click'), 50); });
    </script>`,
  );
  await page.goto(`${server.origin}/bad.html`);
  await page.click('#go');
  await page.evaluate(() => setTimeout(() => { throw new Error('late failure'); }));
  const spans = await waitForSpans(page, server, (s) => s.some((x) => x.name === 'click button#go') && s.some((x) => String(x.attributes['url.full']).endsWith('after-click')) && s.some((x) => x.events.some((e) => e.name === 'exception')) && s.some((x) => x.name === 'resourceFetch'));
  const click = spans.find((s) => s.name === 'click button#go')!;
  expect(spans.find((s) => String(s.attributes['url.full']).endsWith('after-click'))!.parentSpanId).toBe(click.spanId);
  // Counted (and in development printed) once per instrumentation; web vitals and long frames start when the page is idle.
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { Spanbeam: { getSelfCounters(): Record<string, number> } }).Spanbeam.getSelfCounters()))
    .toMatchObject({ 'interactions.bad_option': 2, 'documentLoad.bad_option': 1, 'errors.bad_option': 1, 'longTasks.bad_option': 2, 'webVitals.bad_option': 1 });
});
