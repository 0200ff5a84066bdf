// Soak: a single-page app left open for days (a dashboard), compressed into seconds. Each round
// the page makes hundreds of fetch/XHR calls (failed, aborted, streamed and cancelled, never read),
// SPA navigations (history and the Navigation API), interactions on listeners added and removed,
// timers and promise chains, an error and a long task; the clock jumps an hour between rounds.
// What the SDK holds must not grow with the work done once its spans are delivered, no span may
// be lost, and the page sees no error of ours. The heap is read over the DevTools protocol after
// full garbage collections; the outbox through a collector outage, by its IndexedDB reads.
import { test, expect } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, openApp, received } from './instrument-support';
import { collector, app as exportApp, expectDelivered, openPage, pageUrl, startGate, stats, useExportServers } from './export-support';
import { cdp, heap } from './soak-support';

let server: TestServer;

type Stats = { ended: number; sent: number; queued: number; dropped: Record<string, number> };
type Win = Window & {
  work(n: number): Promise<void>;
  advance(ms: number): void;
  handle: { flush(): Promise<void>; exporter: { stats(): Stats } };
};

/** The app's clock can jump (hours pass between rounds): what the SDK keeps "for a while" must go. */
function fakeNow(): void {
  const real = Date.now.bind(Date);
  let offset = 0;
  Date.now = () => real() + offset;
  (window as unknown as Win).advance = (ms) => void (offset += ms);
}

/** The app: `work(n)` does n of each kind of thing, then waits until its spans have ended. */
function app(): void {
  const w = window as unknown as Win;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const xhr = (url: string, abort?: boolean) =>
    new Promise<void>((ok) => {
      const x = new XMLHttpRequest();
      x.onloadend = () => ok();
      x.open('GET', url);
      x.send();
      if (abort) x.abort();
    });
  const nav = (window as unknown as { navigation?: EventTarget & { navigate(u: string): { finished: Promise<unknown> } } }).navigation;
  // A router: same-document navigations through the Navigation API.
  nav?.addEventListener('navigate', (e) => {
    const ev = e as Event & { canIntercept: boolean; intercept(o: object): void };
    if (ev.canIntercept) ev.intercept({ handler: () => sleep(1) });
  });
  const btn = Object.assign(document.createElement('button'), { id: 'soak' });
  document.body.append(btn);
  let k = 0;
  w.work = async (n) => {
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++, k++) {
      calls.push(
        fetch(`/api/data?i=${k % 7}`).then((r) => r.json()),
        fetch('/api/404').then((r) => r.text()),
        fetch('http://127.0.0.1:9/refused').catch(() => 0),
        fetch(`/api/data?unread=${k % 5}`), // body never read
        fetch('/api/stream?n=3').then(async (r) => {
          const reader = r.body!.getReader();
          await reader.read();
          await reader.cancel();
        }),
        xhr(`/api/data?x=${k % 3}`),
        xhr('/api/hang', true),
        xhr('http://127.0.0.1:9/refused'),
        new Promise((ok) => setTimeout(() => Promise.resolve(k).then((v) => queueMicrotask(() => ok(v))), 0)),
      );
      const ac = new AbortController();
      calls.push(fetch('/api/hang', { signal: ac.signal }).catch(() => 0));
      ac.abort();
    }
    for (let i = 0; i < n; i++, k++) {
      // Listeners added and removed around each interaction, as components mount and unmount.
      const onClick = () => fetch(`/api/data?click=${k % 3}`);
      const onKey = () => setTimeout(() => Promise.resolve().then(() => 0), 0);
      btn.addEventListener('click', onClick);
      btn.addEventListener('keydown', onKey);
      btn.click();
      btn.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      btn.removeEventListener('click', onClick);
      btn.removeEventListener('keydown', onKey);
      history.pushState({ k }, '', `/app.html?route=${k % 10}`);
      await nav?.navigate(`/app.html?nav=${k % 10}#x`).finished.catch(() => 0);
      const back = new Promise((r) => addEventListener('popstate', r, { once: true }));
      history.back();
      await back;
    }
    setTimeout(() => {
      throw new Error('app error');
    }, 0);
    const until = performance.now() + 60;
    while (performance.now() < until); // a long task
    await Promise.all(calls);
    await sleep(300); // past the wait for Resource Timing entries
  };
}

const batchIds = (s: TestServer) =>
  s.received.flatMap((r) => [...r.raw.toString().matchAll(/"spanbeam\.batch\.id","value":\{"stringValue":"([0-9a-z]+)"/g)].map((m) => m[1]));

test.describe('a long-lived page', () => {
  test.beforeEach(async () => {
    server = await appServer();
    server.route('/api/hang', () => {}); // never answers (aborted by the page)
  });
  test.afterEach(async () => server.close());

  for (const [bundle, label] of [
    ['/sb-zone.js', 'with zone.js'],
    ['/sb.js', 'without zone.js'],
  ] as const)
    test(`a dashboard open for days (${label}): what the SDK holds does not grow with the work, and every span arrives`, async ({ page }) => {
      test.setTimeout(90_000);
      await page.addInitScript(fakeNow);
      const errors = await openApp(page, server, { exporter: { outbox: 'indexeddb', maxDelayMs: 20, recentSpans: 0 } }, '/app.html', bundle);
      await page.evaluate(app);
      const s = await cdp(page);
      const round = async (n = 12) => {
        await page.evaluate(() => (window as unknown as Win).advance(3_600_000)); // an hour later
        await page.evaluate((n) => (window as unknown as Win).work(n), n);
        const queued = () => page.evaluate(async () => ((await (window as unknown as Win).handle.flush()), (window as unknown as Win).handle.exporter.stats().queued));
        await expect.poll(queued).toBe(0);
      };
      await round();
      const first = await heap(s);
      const before = new Set(batchIds(server));
      for (let r = 0; r < 2; r++) await round();
      const last = await heap(s);

      // Batches delivered hours ago: their ids were kept for ever (one per batch, for the page's life).
      const old = last.strings.filter((x) => before.has(x));
      expect(before.size).toBeGreaterThan(10);
      expect(old).toEqual([]);
      // Spans: none kept for downloadChromeTrace() here; a few still referenced (recent interactions).
      expect(last.objects.get('RecordingSpan')).toBeLessThan(50);
      for (const name of ['Object', 'Array', 'Map', 'Set', 'Promise', 'WeakRef']) {
        expect(last.objects.get(name) ?? 0, name).toBeLessThan((first.objects.get(name) ?? 0) * 1.1 + 200);
      }
      expect(last.used - first.used).toBeLessThan(400_000);

      // Every span delivered once, none dropped. The heap snapshots block the page long enough for
      // a long-frame span to end after the last round: flushed too.
      await expect.poll(() => page.evaluate(async () => ((await (window as unknown as Win).handle.flush()), (window as unknown as Win).handle.exporter.stats().queued))).toBe(0);
      const stats = await page.evaluate(() => (window as unknown as Win).handle.exporter.stats());
      expect(stats.dropped).toEqual({});
      expect(stats.sent).toBe(stats.ended);
      const spans = received(server);
      expect(spans.length).toBe(stats.sent);
      // The page's Resource Timing buffer filled long ago; the SDK left it alone, and requests still
      // get their network phases (from its observer).
      expect(await page.evaluate(() => performance.getEntriesByType('resource').length)).toBe(250);
      const lastGet = spans.filter((x) => x.name === 'GET' && String(x.attributes['url.full']).includes('/api/data?i=')).pop()!;
      expect(lastGet.events.map((e) => e.name)).toEqual(expect.arrayContaining(['fetchStart', 'responseEnd']));
      expect(errors.filter((e) => !e.includes('app error'))).toEqual([]);
    });
});

test.describe('the collector down for a while, then back', () => {
  useExportServers();

  test('what waits in the outbox is read from IndexedDB a bounded number of times, and all of it arrives once', async ({ page }) => {
    const gate = await startGate(collector.port);
    await gate.close(); // connection refused
    // Every outbox read (IDBObjectStore.getAll) deserializes every batch waiting, on the main thread.
    await page.addInitScript(() => {
      const w = window as unknown as { reads: number };
      w.reads = 0;
      const getAll = IDBObjectStore.prototype.getAll;
      IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...a: Parameters<typeof getAll>) {
        w.reads++;
        return getAll.apply(this, a);
      };
    });
    await openPage(page, pageUrl(exportApp, { endpoint: `http://127.0.0.1:${gate.port}/v1/traces`, delay: 5, retry: 60_000, retryMax: 300_000 }));
    const n = 150;
    const reads = () => page.evaluate(() => (window as unknown as { reads: number }).reads);
    // One ~1.4 KB batch at a time, as a page sealing one a second through an outage does.
    await page.evaluate(async (n) => {
      const w = window as unknown as { endSpans(t: string, n: number, pad: number): void; exporter: { flush(): Promise<void> } };
      for (let i = 0; i < n; i++) {
        w.endSpans(`o${i}`, 1, 1000);
        await w.exporter.flush();
      }
    }, n);
    expect((await stats(page)).queued).toBe(n);
    // Each batch stored read them all again (twice): n² batches read in all.
    const outage = await reads();
    expect(outage).toBeLessThan(10);

    await gate.open();
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await expect.poll(async () => (await stats(page)).sent, { timeout: 20_000 }).toBe(n);
    // Each batch sent read them all again: n²/2.
    expect((await reads()) - outage).toBeLessThan(10);
    await expectDelivered(collector, Array.from({ length: n }, (_, i) => `o${i}-0`));
    expect(await stats(page)).toMatchObject({ queued: 0, sent: n, dropped: {} });
    await gate.close();
  });
});
