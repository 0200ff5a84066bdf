import { test, expect, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, waitForSpans, one, byName, received, type RSpan } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';
const START = `<script src="/sb-zone.js"></script><script>window.handle = Spanbeam.start({ serviceName: 'page-test', endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 }, ...(window.opts || {}) });</script>`;

async function hide(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

test('documentLoad joins <meta name=traceparent>, with documentFetch and resourceFetch children and timing events', async ({ page }) => {
  server.page('/meta.html', `<!doctype html><meta name="traceparent" content="00-${TRACE}-${PARENT}-01">${START}<img src="/api/data?img&token=t0p">`);
  await page.goto(`${server.origin}/meta.html`);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  const doc = one(spans, (s) => s.name === 'documentLoad');
  expect(doc.traceId).toBe(TRACE);
  expect(doc.parentSpanId).toBe(PARENT);
  expect(doc.attributes).toMatchObject({ 'url.full': `${server.origin}/meta.html`, 'browser.navigation.type': 'navigate' });
  expect(doc.events.map((e) => e.name)).toEqual(expect.arrayContaining(['domInteractive', 'domContentLoadedEventEnd', 'loadEventEnd', 'first-paint', 'first-contentful-paint']));
  const fetchSpan = one(spans, (s) => s.name === 'documentFetch');
  expect(fetchSpan.parentSpanId).toBe(doc.spanId);
  expect(fetchSpan.attributes['http.response.status_code']).toBe(200);
  expect(fetchSpan.events.map((e) => e.name)).toEqual(expect.arrayContaining(['fetchStart', 'requestStart', 'responseStart', 'responseEnd']));
  const res = spans.filter((s) => s.name === 'resourceFetch');
  expect(res.map((s) => s.attributes['url.full'])).toEqual(expect.arrayContaining([`${server.origin}/sb-zone.js`, `${server.origin}/api/data?img&token=REDACTED`]));
  for (const r of res) expect(r.parentSpanId).toBe(doc.spanId);
  const img = one(res, (s) => String(s.attributes['url.full']).includes('img'));
  expect(img.attributes['http.response.body.size']).toBeGreaterThan(0);
});

test('documentLoad joins Server-Timing: traceparent, also when the SDK loads late (buffered timing)', async ({ page }) => {
  server.page(
    '/late.html',
    `<!doctype html><p>late</p><script>addEventListener('load', () => setTimeout(() => { const s = document.createElement('script'); s.src = '/sb-zone.js'; s.onload = () => { window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory' } }); }; document.head.append(s); }, 100));</script>`,
    { 'server-timing': `db;dur=2, traceparent;desc="00-${TRACE}-${PARENT}-01"` },
  );
  await page.goto(`${server.origin}/late.html`);
  await page.waitForFunction(() => 'handle' in window);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  const doc = one(spans, (s) => s.name === 'documentLoad');
  expect(doc.traceId).toBe(TRACE);
  expect(doc.parentSpanId).toBe(PARENT);
  expect(doc.events.map((e) => e.name)).toContain('loadEventEnd');
  expect(doc.end - doc.start).toBeLessThan(5000);
});

test('a document from the HTTP cache (a back navigation) does not join the finished trace of the response that filled the cache', async ({ page }) => {
  let served = 0;
  // Cacheable HTML; Server-Timing is stored with it, and replayed from the cache too.
  server.route('/cached.html', (_q, res) => {
    served++;
    const tp = `00-${TRACE}-${PARENT}-01`;
    res
      .writeHead(200, { 'content-type': 'text/html', 'cache-control': 'max-age=600', 'server-timing': `traceparent;desc="${tp}"` })
      .end(`<!doctype html><meta name="traceparent" content="${tp}">${START}<a id="next" href="/api/data">next</a>`);
  });
  await page.goto(`${server.origin}/cached.html`);
  await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  await page.click('#next');
  await page.waitForURL('**/api/data');
  await page.goBack(); // Playwright's Chromium has no back/forward cache: the document is loaded again, from the HTTP cache
  await page.waitForFunction(() => 'handle' in window);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 2);
  expect(served).toBe(1);
  const [first, back] = byName(spans, 'documentLoad');
  expect([first.traceId, first.parentSpanId]).toEqual([TRACE, PARENT]);
  expect(back.attributes['browser.navigation.type']).toBe('back_forward');
  expect(back.traceId).not.toBe(TRACE);
  expect(back.parentSpanId).toBe('');
});

test('SDK injected after load: buffered entries give documentLoad with its resources, and web vitals reported when the page is left', async ({ page }) => {
  server.page(
    '/late-vitals.html',
    `<!doctype html><h1 id="hero" style="font-size:48px">loaded before the SDK</h1><img src="/api/data?img">
     <script>addEventListener('load', () => setTimeout(() => { const s = document.createElement('script'); s.src = '/sb.js'; s.onload = () => { window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } }); }; document.head.append(s); }, 300));</script>`,
  );
  await page.goto(`${server.origin}/late-vitals.html`);
  await page.waitForFunction(() => 'handle' in window);
  await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  const origin = await page.evaluate(() => performance.timeOrigin);
  // A real hide (leaving the page): web-vitals reports the final LCP on a trusted visibilitychange only.
  await page.goto(`${server.origin}/api/data`);
  await expect.poll(() => byName(received(server), 'LCP').length).toBe(1);
  const spans = received(server);
  const doc = one(spans, (s) => s.name === 'documentLoad');
  expect(Math.abs(doc.start - origin)).toBeLessThan(1);
  expect(doc.events.map((e) => e.name)).toContain('loadEventEnd');
  expect(one(spans, (s) => s.name === 'documentFetch').parentSpanId).toBe(doc.spanId);
  const res = spans.filter((s) => s.name === 'resourceFetch');
  // What loaded before the load event; not the SDK's own late script.
  expect(res.map((s) => s.attributes['url.full'])).toEqual([`${server.origin}/api/data?img`]);
  expect(res[0].parentSpanId).toBe(doc.spanId);
  for (const n of ['TTFB', 'FCP', 'LCP']) {
    const v = one(spans, (s) => s.name === n);
    expect(v.parentSpanId, n).toBe(doc.spanId);
    expect(Math.abs(v.start - origin), n).toBeLessThan(1);
  }
  expect(one(spans, (s) => s.name === 'LCP').attributes['browser.web_vital.attribution.element']).toBe('#hero');
});

test('prerendered page: documentLoad waits for activation; bfcache restore: a new documentLoad', async ({ page }) => {
  server.page(
    '/pre.html',
    `<!doctype html><script>Object.defineProperty(document, 'prerendering', { value: true, configurable: true });</script>${START}`,
  );
  await page.goto(`${server.origin}/pre.html`);
  await page.waitForTimeout(300);
  await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  expect(byName(received(server), 'documentLoad')).toHaveLength(0);
  await page.evaluate(() => {
    Object.defineProperty(document, 'prerendering', { value: false, configurable: true });
    document.dispatchEvent(new Event('prerenderingchange'));
  });
  let spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  const first = one(spans, (s) => s.name === 'documentLoad');
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 2);
  const restored = one(spans, (s) => s.name === 'documentLoad' && s.spanId !== first.spanId);
  expect(restored.attributes['browser.navigation.type']).toBe('back_forward_cache');
  expect(restored.traceId).not.toBe(first.traceId);
});

test('resourceFetch covers a redirected resource from its first request', async ({ page }) => {
  server.route('/redir', (_q, res) => void setTimeout(() => res.writeHead(302, { location: '/api/data?redirected' }).end(), 150));
  server.page('/redir.html', `<!doctype html>${START}<img src="/redir">`);
  await page.goto(`${server.origin}/redir.html`);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  const img = one(spans, (s) => s.name === 'resourceFetch' && String(s.attributes['url.full']).includes('redir'));
  const duration = await page.evaluate(() => performance.getEntriesByType('resource').find((e) => e.name.includes('/redir'))!.duration);
  expect(img.end - img.start).toBeGreaterThan(150);
  expect(Math.abs(img.end - img.start - duration)).toBeLessThan(1);
});

test('documentLoad ignoreUrls with a global RegExp leaves out every matching resource', async ({ page }) => {
  // A global RegExp keeps its lastIndex between test() calls: unreset, every other match fails.
  server.page(
    '/ignore.html',
    `<!doctype html><script>window.opts = { instrumentations: { documentLoad: { ignoreUrls: [/skip/g] } } };</script>${START}
     <img src="/api/data?skip=1"><img src="/api/data?skip=2"><img src="/api/data?skip=3"><img src="/api/data?keep=1">`,
  );
  await page.goto(`${server.origin}/ignore.html`);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  const urls = spans.filter((s) => s.name === 'resourceFetch').map((s) => String(s.attributes['url.full']));
  expect(urls.filter((u) => u.includes('keep=1'))).toHaveLength(1);
  expect(urls.filter((u) => u.includes('skip'))).toEqual([]);
});

test('a page whose load never completes reports documentLoad and web vitals when hidden', async ({ page }) => {
  server.route('/hang', () => {});
  server.page('/hang.html', `<!doctype html>${START}<p>hi</p><img src="/hang">`);
  await page.goto(`${server.origin}/hang.html`, { waitUntil: 'domcontentloaded' });
  await page.waitForTimeout(300);
  await hide(page);
  // No flush: what is sent on hide is all a discarded page reports.
  await expect.poll(() => byName(received(server), 'documentLoad').length).toBe(1);
  const spans = received(server);
  const doc = one(spans, (s) => s.name === 'documentLoad');
  expect(doc.events.map((e) => e.name)).not.toContain('loadEventEnd');
  expect(one(spans, (s) => s.name === 'FCP').parentSpanId).toBe(doc.spanId);
});

test('web vitals with attribution (LCP, CLS, FCP, TTFB) in the page-load trace, reported on hide', async ({ page }) => {
  server.page(
    '/vitals.html',
    `<!doctype html>${START}<h1 id="hero" style="font-size:64px">Hello vitals</h1><div id="shift"></div>
     <button id="slow">slow</button>
     <script>
       document.getElementById('slow').addEventListener('click', () => { const t = performance.now(); while (performance.now() - t < 120); document.getElementById('shift').style.height = '200px'; });
     </script>`,
  );
  await page.goto(`${server.origin}/vitals.html`);
  await page.waitForTimeout(200);
  await page.click('#slow');
  await page.waitForTimeout(300);
  await hide(page);
  const spans = await waitForSpans(page, server, (s) => ['LCP', 'CLS', 'FCP', 'TTFB'].every((n) => byName(s, n).length >= 1));
  const doc = one(spans, (s) => s.name === 'documentLoad');
  for (const n of ['LCP', 'FCP', 'TTFB']) {
    const v = byName(spans, n)[0];
    expect(v.attributes).toMatchObject({ 'browser.web_vital.name': n.toLowerCase(), 'browser.web_vital.navigation_type': 'navigate' });
    expect(v.attributes['browser.web_vital.rating']).toMatch(/good|needs-improvement|poor/);
    expect(typeof v.attributes['browser.web_vital.id']).toBe('string');
    expect(v.traceId).toBe(doc.traceId);
  }
  expect(byName(spans, 'LCP')[0].attributes['browser.web_vital.attribution.element']).toBe('#hero');
  expect(byName(spans, 'CLS')[0].attributes['browser.web_vital.name']).toBe('cls');
});

function navSpans(spans: RSpan[]) {
  return spans.filter((s) => s.name === 'navigation').map((s) => [s.attributes['browser.navigation.type'], s.attributes['browser.navigation.from'], s.attributes['browser.navigation.to']]);
}

for (const api of ['Navigation API', 'history fallback']) {
  test(`SPA navigation spans (${api}), the click's child, URLs redacted`, async ({ page }) => {
    const off = api === 'history fallback' ? `<script>Object.defineProperty(window, 'navigation', { value: undefined, configurable: true });</script>` : '';
    server.page('/spa.html', `<!doctype html>${off}${START}<button id="go">go</button><script>document.getElementById('go').addEventListener('click', () => history.pushState({}, '', '/spa/next?session=abc'));</script>`);
    await page.goto(`${server.origin}/spa.html`);
    await page.click('#go');
    await page.evaluate(() => history.replaceState({ x: 1 }, ''));
    await page.evaluate(() => (location.hash = '#tab2'));
    await page.waitForTimeout(50);
    await page.evaluate(() => history.back());
    const o = server.origin;
    const spans = await waitForSpans(page, server, (s) => byName(s, 'navigation').length >= 3);
    expect(navSpans(spans)).toEqual([
      // The same type names with or without the Navigation API: one query covers every browser.
      ['push', `${o}/spa.html`, `${o}/spa/next?session=REDACTED`],
      ['hashchange', `${o}/spa/next?session=REDACTED`, `${o}/spa/next?session=REDACTED#tab2`],
      ['hashchange', `${o}/spa/next?session=REDACTED#tab2`, `${o}/spa/next?session=REDACTED`],
    ]);
    const click = one(spans, (s) => s.name === 'click button#go');
    expect(byName(spans, 'navigation')[0].parentSpanId).toBe(click.spanId);
  });
}

test('history fallback: relative URLs resolve as the browser resolves them, against the URL before the change', async ({ page }) => {
  // document.baseURI is already the new URL once pushState returns: resolving against it doubled `sub/`.
  const off = `<script>Object.defineProperty(window, 'navigation', { value: undefined, configurable: true });</script>`;
  server.page('/a/b/c.html', `<!doctype html>${off}${START}`);
  await page.goto(`${server.origin}/a/b/c.html`);
  await page.evaluate(() => history.pushState({}, '', 'sub/page'));
  await page.evaluate(() => history.replaceState(null, '', '../x?key=k1'));
  await page.evaluate(() => history.back());
  const o = server.origin;
  const spans = await waitForSpans(page, server, (s) => byName(s, 'navigation').length >= 3);
  expect(navSpans(spans)).toEqual([
    ['push', `${o}/a/b/c.html`, `${o}/a/b/sub/page`],
    ['replace', `${o}/a/b/sub/page`, `${o}/a/b/x?key=REDACTED`],
    ['traverse', `${o}/a/b/x?key=REDACTED`, `${o}/a/b/c.html`],
  ]);
});

test('Navigation API router: the span lasts until the intercept handler settles, a failed or superseded navigation is an error', async ({ page }) => {
  server.page(
    '/nav.html',
    `<!doctype html>${START}<script>
      navigation.addEventListener('navigate', (e) => {
        if (!e.canIntercept || e.hashChange) return;
        const to = e.destination.url;
        e.intercept({ handler: async () => {
          await new Promise((r) => setTimeout(r, to.includes('slow') ? 300 : 50));
          if (to.includes('broken')) throw new Error('route failed');
        } });
      });
      // The navigation's own promise, caught where the test expects it to fail.
      window.go = (url, fails) => { const f = navigation.navigate(url).finished; return fails ? f.catch(() => {}) : f; };
    </script>`,
  );
  await page.goto(`${server.origin}/nav.html`);
  type Go = { go(url: string, fails?: boolean): Promise<void> };
  await page.evaluate(() => (window as unknown as Go).go('/r/slow'));
  await page.evaluate(() => (window as unknown as Go).go('/r/broken', true));
  await page.evaluate(() => {
    void (window as unknown as Go).go('/r/slow-superseded', true);
    return (window as unknown as Go).go('/r/last');
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'navigation').length >= 4);
  const nav = (to: string) => one(spans, (s) => s.name === 'navigation' && String(s.attributes['browser.navigation.to']).endsWith(to));
  expect(nav('/r/slow').end - nav('/r/slow').start).toBeGreaterThanOrEqual(290);
  expect(nav('/r/slow').status.code ?? 0).toBe(0);
  expect(nav('/r/broken').status).toMatchObject({ code: 2, message: 'Error' });
  expect(nav('/r/slow-superseded').status).toMatchObject({ code: 2, message: 'AbortError' });
  expect(nav('/r/last').status.code ?? 0).toBe(0);
});

test('Navigation API router: intercepted navigations are navigation spans, cross-document ones are not', async ({ page }) => {
  // The router intercepts link clicks: its `navigate` event is cross-document until intercepted.
  server.page(
    '/router.html',
    `<!doctype html>${START}<a id="go" href="/router/next?token=s3cret">go</a><a id="out" href="/elsewhere.html">out</a><script>
      navigation.addEventListener('navigate', (e) => { if (e.canIntercept && !e.hashChange && !e.destination.url.includes('elsewhere')) e.intercept({ handler: async () => {} }); });
    </script>`,
  );
  server.page('/elsewhere.html', '<!doctype html>elsewhere');
  await page.goto(`${server.origin}/router.html`);
  await page.click('#go');
  await page.waitForURL('**/router/next?token=s3cret');
  await page.evaluate(() => history.pushState({}, '', '/router/third'));
  const o = server.origin;
  const spans = await waitForSpans(page, server, (s) => byName(s, 'navigation').length >= 2);
  expect(navSpans(spans)).toEqual([
    ['push', `${o}/router.html`, `${o}/router/next?token=REDACTED`],
    ['push', `${o}/router/next?token=REDACTED`, `${o}/router/third`],
  ]);
  expect(byName(spans, 'navigation')[0].parentSpanId).toBe(one(spans, (s) => s.name === 'click a#go').spanId);
  // A real page change is the next document's page load, not a navigation span here.
  await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  await page.click('#out');
  await page.waitForURL('**/elsewhere.html');
  await page.waitForTimeout(200);
  expect(byName(received(server), 'navigation').length).toBe(2);
});

test('Navigation API router: a route still loading when the tab closes is sent, ended at pagehide', async ({ page }) => {
  // The intercept handler never settles (a route waiting on a hung request): without the page's end
  // the span never ended, so it was lost.
  server.page(
    '/stuck.html',
    `<!doctype html>${START}<a id="go" href="/route/stuck">go</a><script>
      navigation.addEventListener('navigate', (e) => { if (e.canIntercept) e.intercept({ handler: () => new Promise(() => {}) }); });
    </script>`,
  );
  await page.goto(`${server.origin}/stuck.html`);
  await page.click('#go');
  await page.waitForURL('**/route/stuck');
  await page.waitForTimeout(100);
  await page.close({ runBeforeUnload: true });
  const o = server.origin;
  await expect.poll(() => navSpans(received(server))).toEqual([['push', `${o}/stuck.html`, `${o}/route/stuck`]]);
  const spans = received(server);
  const nav = byName(spans, 'navigation')[0];
  expect(nav.parentSpanId).toBe(one(spans, (s) => s.name === 'click a#go').spanId);
  expect(nav.end - nav.start).toBeGreaterThanOrEqual(90);
});

test('uncaught errors and unhandled rejections outside any span become error spans', async ({ page }) => {
  // Without zone.js: its ZoneAwarePromise does not raise native unhandledrejection events.
  server.page('/err.html', `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}`);
  await page.goto(`${server.origin}/err.html`);
  await page.evaluate(() => {
    setTimeout(() => {
      throw new RangeError('timer broke');
    });
    void Promise.reject(new SyntaxError('nobody caught me'));
    void Promise.reject(null);
    void Promise.reject({ code: 'E_QUOTA', password: 'hunter2' });
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length === 4);
  const ev = (s: RSpan) => s.events.find((e) => e.name === 'exception')!.attributes;
  const range = one(spans, (s) => s.name === 'error' && ev(s)['exception.type'] === 'RangeError');
  expect(ev(range)['exception.message']).toBe('timer broke');
  expect(String(ev(range)['exception.stacktrace'])).toContain('timer broke');
  expect(range.status.code).toBe(2);
  const rej = one(spans, (s) => s.name === 'error' && ev(s)['exception.type'] === 'SyntaxError');
  expect(rej.attributes['error.source']).toBe('unhandledrejection');
  // A rejection with null says so (not "undefined").
  const objects = spans.filter((s) => s.name === 'error' && ev(s)['exception.type'] === 'object').map((s) => ev(s)['exception.message']);
  expect(objects.sort()).toEqual(['Object with keys: code,password', 'null']);
  // A plain object is named by its keys (it read "[object Object]"), never its values.
  expect(JSON.stringify(server.received.map((r) => r.json))).not.toContain('hunter2');
});

test("an error's cause chain and an AggregateError's errors follow its stack, a line each, 5 at most, redacted", async ({ page }) => {
  server.page('/err-cause.html', `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}`);
  await page.goto(`${server.origin}/err-cause.html`);
  await page.evaluate(() => {
    setTimeout(() => {
      const root = new TypeError('fetch https://api.example.com/me?token=s3cr3t failed');
      throw new Error('save failed', { cause: new Error('sync failed', { cause: root }) });
    });
    // Promise.any's reasons, one of them null: recorded as such (a null `cause` is none).
    void Promise.reject(new AggregateError([new RangeError('a'), 'b', null], 'all failed', { cause: 'quota' }));
    const self = new SyntaxError('loop');
    (self as { cause?: unknown }).cause = self;
    void Promise.reject(self);
    let deep = new Error('e0');
    for (let i = 1; i < 9; i++) deep = new Error(`e${i}`, { cause: deep });
    void Promise.reject(deep);
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length === 4);
  const st = (msg: string) => {
    const e = spans.map((s) => s.events.find((x) => x.name === 'exception')!.attributes).find((a) => a['exception.message'] === msg)!;
    return String(e['exception.stacktrace']);
  };
  expect(st('save failed')).toMatch(/^Error: save failed\n {4}at .*\nCaused by: Error: sync failed\nCaused by: TypeError: fetch https:\/\/api\.example\.com\/me\?token=REDACTED failed$/s);
  expect(st('all failed')).toMatch(/\nCaused by: quota\nerrors\[0\]: RangeError: a\nerrors\[1\]: b\nerrors\[2\]: null$/);
  expect(st('loop')).not.toContain('Caused by');
  expect(st('e8').split('\n').filter((l) => !l.startsWith('    at '))).toEqual(['Error: e8', ...[7, 6, 5, 4, 3].map((i) => `Caused by: Error: e${i}`)]);
  expect(JSON.stringify(server.received.map((r) => r.json))).not.toContain('s3cr3t');
});

test('a rejected object keyed by URLs is named by its keys with their secrets redacted, as URLs in any exception message are', async ({ page }) => {
  server.page('/err-keys.html', `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}`);
  await page.goto(`${server.origin}/err-keys.html`);
  // A cache of responses keyed by their URL, rejected whole.
  await page.evaluate(() => void Promise.reject({ 'https://api.example.com/me?token=s3cr3t': 1 }));
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length === 1);
  const msg = one(spans, (s) => s.name === 'error').events.find((e) => e.name === 'exception')!.attributes['exception.message'];
  expect(msg).toBe('Object with keys: https://api.example.com/me?token=REDACTED');
  expect(JSON.stringify(server.received.map((r) => r.json))).not.toContain('s3cr3t');
});

test('errors: the same error again with no span to mark is recorded once (Sentry-style dedupe), and does not use up the budget', async ({ page }) => {
  server.page('/err-dedupe.html', `<!doctype html><script>window.opts = { instrumentations: { errors: { max: 4 } } };</script>${START.replace('/sb-zone.js', '/sb.js')}`);
  await page.goto(`${server.origin}/err-dedupe.html`);
  await page.evaluate(() => {
    // One script each: uncaught at the top level, so no span is active (the same line, as a loop's).
    const fail = (what: string) => document.head.append(Object.assign(document.createElement('script'), { textContent: `throw new Error('${what}')` }));
    for (const what of ['loop', 'loop', 'loop', 'other', 'loop', ...Array(20).fill('loop'), 'last']) fail(what);
  });
  await waitForSpans(page, server, (s) => byName(s, 'error').length >= 4);
  await page.waitForTimeout(300);
  expect(byName(received(server), 'error').map((s) => s.events[0].attributes['exception.message'])).toEqual(['loop', 'other', 'loop', 'last']);
});

test('errors: at most `max` per hour are recorded, and the budget renews the next hour', async ({ page }) => {
  await page.clock.install();
  server.page('/err-limit.html', `<!doctype html><script>window.opts = { instrumentations: { errors: { max: 2 } } };</script>${START.replace('/sb-zone.js', '/sb.js')}`);
  await page.goto(`${server.origin}/err-limit.html`);
  const fail = (tag: string) =>
    page.evaluate((t) => {
      // Uncaught, from a script (a fake timer's callback would throw into the clock instead).
      for (let i = 0; i < 3; i++) document.head.append(Object.assign(document.createElement('script'), { textContent: `throw new Error('${t} ${i}')` }));
    }, tag);
  const messages = () => byName(received(server), 'error').map((s) => s.events[0].attributes['exception.message']).sort();
  await fail('early');
  await page.clock.runFor(5000);
  await expect.poll(messages).toEqual(['early 0', 'early 1']);
  await page.clock.fastForward('59:00');
  await fail('same hour');
  await page.clock.runFor(5000);
  await page.waitForTimeout(200);
  expect(messages()).toEqual(['early 0', 'early 1']);
  await page.clock.fastForward('02:00');
  await fail('next hour');
  await page.clock.runFor(5000);
  await expect.poll(messages).toEqual(['early 0', 'early 1', 'next hour 0', 'next hour 1']);
});

test('rejections whose reason cannot be read (a throwing getter, a revoked proxy) are recorded; a huge message does not make a huge status', async ({ page }) => {
  server.page('/odd.html', `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}`);
  await page.goto(`${server.origin}/odd.html`);
  await page.evaluate(() => {
    void Promise.reject({
      get message(): string {
        throw new Error('getter');
      },
    });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    void Promise.reject(revoked.proxy);
    void Promise.reject(new Error('x'.repeat(100_000)));
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length >= 3);
  const errors = byName(spans, 'error').map((s) => [s.events[0].attributes['exception.message'], s.status.message]);
  expect(errors.filter(([m]) => m === '[unprintable]')).toHaveLength(2);
  const [message, status] = errors.find(([m]) => String(m).startsWith('xxx'))!;
  // Cut as attribute values are (the status had all 100 000 characters, in every export of it).
  expect(String(message)).toHaveLength(4096);
  expect(status).toBe(message);
  expect(await page.evaluate(() => (window as unknown as { Spanbeam: { getSelfCounters(): object } }).Spanbeam.getSelfCounters())).not.toHaveProperty(['errors.failed']);
});

test('an exception the app records with recordException has its URLs redacted as an uncaught one', async ({ page }) => {
  server.route('/lib.js', (_q, res) =>
    void res.writeHead(200, { 'content-type': 'text/javascript' }).end('window.failing = function failing() { throw new Error("GET http://u:SECRET-PASS@h.example/x?token=SECRET-MSG failed"); };'),
  );
  server.page('/rec.html', `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}<script src="/lib.js?key=SECRET-SRC"></script>`);
  await page.goto(`${server.origin}/rec.html`);
  await page.evaluate(() => {
    const w = window as unknown as { failing(): void; Spanbeam: { getTracer(): { startSpan(n: string): { recordException(e: unknown): void; end(): void } } } };
    const span = w.Spanbeam.getTracer().startSpan('checkout');
    try {
      w.failing();
    } catch (e) {
      span.recordException(e);
    }
    span.end();
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'checkout').length === 1);
  const ex = one(spans, (s) => s.name === 'checkout').events[0].attributes;
  expect(ex['exception.type']).toBe('Error');
  expect(ex['exception.message']).toBe('GET http://REDACTED:REDACTED@h.example/x?token=REDACTED failed');
  expect(ex['exception.stacktrace']).toContain(`${server.origin}/lib.js?key=REDACTED:1:`);
  expect(JSON.stringify(spans)).not.toMatch(/SECRET-/);
});

test("a cross-origin script's hidden error ('Script error.', no details) is not recorded; with crossorigin and CORS it is", async ({ page }) => {
  const other = server.origin.replace('127.0.0.1', 'localhost');
  const thrower = (what: string) => `setTimeout(() => { throw new TypeError(${JSON.stringify(what)}); });`;
  server.route('/xo-hidden.js', (_q, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end(thrower('hidden by the browser')));
  server.route('/xo-cors.js', (_q, res) =>
    void res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' }).end(thrower('shown through CORS')),
  );
  server.page(
    '/xo.html',
    `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}<script>window.seen = []; addEventListener('error', (e) => seen.push(e.message));</script>` +
      `<script src="${other}/xo-hidden.js"></script><script crossorigin src="${other}/xo-cors.js"></script>`,
  );
  await page.goto(`${server.origin}/xo.html`);
  // The page itself still sees both.
  await expect.poll(() => page.evaluate(() => (window as unknown as { seen: string[] }).seen.sort())).toEqual(['Script error.', 'Uncaught TypeError: shown through CORS']);
  await page.evaluate(() => setTimeout(() => { throw new Error('sentinel'); }));
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length >= 2);
  const messages = byName(spans, 'error').map((s) => s.events[0].attributes['exception.message']);
  expect(messages.sort()).toEqual(['sentinel', 'shown through CORS']);
});

test('a script URL with a path parameter (;jsessionid=): code.file.path is redacted too', async ({ page }) => {
  // Servlet URL rewriting puts the session into script URLs; cutting the query off left it in.
  server.route('/sess.js;jsessionid=SECRET-SESSION', (_q, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end('setTimeout(() => { throw new Error("from a rewritten URL"); });'));
  server.page('/sess.html', `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}<script src="/sess.js;jsessionid=SECRET-SESSION"></script>`);
  await page.goto(`${server.origin}/sess.html`);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length >= 1);
  const err = byName(spans, 'error')[0].events[0].attributes;
  expect(err['code.file.path']).toBe(`${server.origin}/sess.js;jsessionid=REDACTED`);
  expect(JSON.stringify(spans)).not.toContain('SECRET-');
});

test('long animation frames with script attribution', async ({ page }) => {
  server.page('/loaf.html', `<!doctype html>${START}<button id="b">b</button><script>document.getElementById('b').addEventListener('click', function busy() { const t = performance.now(); while (performance.now() - t < 150); });</script>`);
  await page.goto(`${server.origin}/loaf.html`);
  await page.click('#b');
  const isClick = (x: RSpan) => x.name === 'longAnimationFrame' && x.events.some((e) => e.attributes['script.invoker_type'] === 'event-listener');
  const spans = await waitForSpans(page, server, (s) => s.some(isClick));
  const loaf = spans.find(isClick)!;
  expect(loaf.end - loaf.start).toBeGreaterThanOrEqual(150);
  expect(typeof loaf.attributes['browser.loaf.blocking_duration']).toBe('number');
  const script = loaf.events.find((e) => e.attributes['script.invoker_type'] === 'event-listener')!;
  expect(script.attributes['script.invoker']).toBe('BUTTON#b.onclick');
  expect(script.attributes['script.duration']).toBeGreaterThanOrEqual(150);
  // The frame belongs to the interaction that caused it, not a trace of its own.
  const click = one(spans, (s) => s.name === 'click button#b');
  expect(loaf.parentSpanId).toBe(click.spanId);
  expect(loaf.traceId).toBe(click.traceId);
});

test('a long frame\'s script that waited on a synchronous XHR (or alert) says how long it was paused', async ({ page }) => {
  server.route('/api/wait', (_q, res) => void setTimeout(() => res.writeHead(200).end('late'), 150));
  server.page(
    '/pause.html',
    `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}
     <script>window.wait = () => setTimeout(function waits() { const x = new XMLHttpRequest(); x.open('GET', '/api/wait', false); x.send(); });</script>`,
  );
  await page.goto(`${server.origin}/pause.html`);
  await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  await page.evaluate(() => (window as unknown as { wait(): void }).wait());
  const isWait = (e: RSpan['events'][number]) => e.attributes['script.source_function_name'] === 'waits';
  const loaf = (await waitForSpans(page, server, (s) => s.some((x) => x.name === 'longAnimationFrame' && x.events.some(isWait)))).find((x) => x.events.some(isWait))!;
  const script = loaf.events.find(isWait)!.attributes;
  // Not 150 ms of script: the page was blocked on the network.
  expect(script['script.pause_duration']).toBeGreaterThanOrEqual(140);
  expect(script['script.duration']).toBeGreaterThanOrEqual(script['script.pause_duration'] as number);
});

test('a page janking in a loop: long frames of no page load or interaction are budgeted (`max` per hour), an interaction\'s frame is kept', async ({ page }) => {
  server.page(
    '/jank.html',
    `<!doctype html><script>window.opts = { instrumentations: { longTasks: { max: 3 } } };</script>${START.replace('/sb-zone.js', '/sb.js')}<button id="b">b</button>
     <script>
       const busy = (ms) => { const t = performance.now(); while (performance.now() - t < ms); };
       document.getElementById('b').addEventListener('click', () => busy(120));
       window.frames60 = 0;
       new PerformanceObserver((l) => (frames60 += l.getEntries().filter((e) => e.duration >= 60).length)).observe({ type: 'long-animation-frame' });
       window.jank = (n) => new Promise((done) => { const step = () => (busy(60), --n ? requestAnimationFrame(step) : done()); requestAnimationFrame(step); });
     </script>`,
  );
  await page.goto(`${server.origin}/jank.html`);
  // After load (and the page-load span): these frames have no parent of their own.
  await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  await page.evaluate(() => (window as unknown as { jank(n: number): Promise<void> }).jank(10));
  await expect.poll(() => page.evaluate(() => (window as unknown as { frames60: number }).frames60)).toBeGreaterThanOrEqual(8);
  await page.click('#b');
  const isClick = (s: RSpan) => s.name === 'longAnimationFrame' && s.events.some((e) => e.attributes['script.invoker'] === 'BUTTON#b.onclick');
  const spans = await waitForSpans(page, server, (s) => s.some(isClick));
  await page.waitForTimeout(300);
  const roots = byName(received(server), 'longAnimationFrame').filter((s) => !s.parentSpanId);
  expect(roots).toHaveLength(3);
  expect(spans.find(isClick)!.parentSpanId).toBe(one(spans, (s) => s.name === 'click button#b').spanId);
});

test('a page whose load never ends (a hanging resource): its long frames after the page-load span are budgeted, not the page load\'s', async ({ page }) => {
  server.route('/hang.png', () => {}); // never answered: no load event
  server.page(
    '/never-loads.html',
    `<!doctype html><script>window.opts = { instrumentations: { longTasks: { max: 3 } } };</script>${START.replace('/sb-zone.js', '/sb.js')}<img src="/hang.png">
     <script>
       const busy = (ms) => { const t = performance.now(); while (performance.now() - t < ms); };
       window.frames60 = 0;
       new PerformanceObserver((l) => (frames60 += l.getEntries().filter((e) => e.duration >= 60).length)).observe({ type: 'long-animation-frame' });
       window.jank = (n) => new Promise((done) => { const step = () => (busy(60), --n ? requestAnimationFrame(step) : done()); requestAnimationFrame(step); });
     </script>`,
  );
  await page.goto(`${server.origin}/never-loads.html`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => 'handle' in window);
  const jank = async (n: number, atLeast: number) => {
    await page.evaluate((k) => (window as unknown as { jank(n: number): Promise<void> }).jank(k), n);
    await expect.poll(() => page.evaluate(() => (window as unknown as { frames60: number }).frames60)).toBeGreaterThanOrEqual(atLeast);
  };
  // While loading: these frames are the page load's.
  await jank(4, 3);
  await page.waitForTimeout(600); // the long-frame observer starts when the page is first idle
  // Hidden before load: the page-load span is made now, ending here.
  await hide(page);
  const doc = one(await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1), (s) => s.name === 'documentLoad');
  await page.evaluate(() => Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true }));
  // Still loading, long after the page-load span ended: no page load's frames, and budgeted.
  await jank(10, 11);
  await page.waitForTimeout(300);
  await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  const frames = byName(received(server), 'longAnimationFrame');
  const ofLoad = frames.filter((s) => s.parentSpanId === doc.spanId);
  expect(ofLoad.length).toBeGreaterThanOrEqual(1);
  for (const s of ofLoad) expect(s.start).toBeLessThan(doc.end);
  expect(frames.filter((s) => !s.parentSpanId)).toHaveLength(3);
});

test('a long frame that starts a trace after the wall clock jumped (a sleep, a clock change): its script events stay inside it', async ({ page }) => {
  server.page(
    '/clock.html',
    `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}
     <script>window.later = () => setTimeout(function busy() { const t = performance.now(); while (performance.now() - t < 120); });</script>`,
  );
  await page.goto(`${server.origin}/clock.html`);
  await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  await page.waitForTimeout(600); // the long-frame observer starts when the page is first idle
  // The wall clock moves 2 h ahead of the monotonic one (as after a macOS sleep); then a long task.
  const jumped = await page.evaluate(() => {
    const now = Date.now;
    Date.now = () => now() + 2 * 36e5;
    (window as unknown as { later(): void }).later();
    return Date.now();
  });
  const isBusy = (x: RSpan) => x.name === 'longAnimationFrame' && x.events.some((e) => e.attributes['script.source_function_name'] === 'busy');
  const loaf = (await waitForSpans(page, server, (s) => s.some(isBusy))).find(isBusy)!;
  expect(loaf.parentSpanId).toBe('');
  // Stamped by the clock its new trace re-read, as the frame's scripts are.
  expect(loaf.start).toBeGreaterThan(jumped - 1000);
  for (const e of loaf.events) {
    expect(e.time).toBeGreaterThanOrEqual(loaf.start);
    expect(e.time).toBeLessThanOrEqual(loaf.end);
  }
});

test('secrets in script URLs are redacted in exception messages, stack traces and long-frame attribution', async ({ page }) => {
  // The message quotes URLs, as browsers' own messages do (a failed fetch's names the full URL).
  server.route('/boom.js', (_q, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end('window.boom = function boom() { throw new Error("boom at http://u:SECRET-PASS@h.example/x?token=SECRET-MSG"); };'));
  server.route('/busy.js', (_q, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end('const t = performance.now(); while (performance.now() - t < 120);'));
  server.page('/secret-scripts.html', `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}<script src="/boom.js?token=SECRET-TOKEN"></script><script src="/busy.js?key=SECRET-KEY"></script>`);
  await page.goto(`${server.origin}/secret-scripts.html`);
  await page.evaluate(() => setTimeout(() => (window as unknown as { boom(): void }).boom()));
  // A listener on an element without id is named by the element's src: `SCRIPT[src="…"].onload`.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.src = '/boom.js?sig=SECRET-SRC';
    s.addEventListener('load', function busy() {
      const t = performance.now();
      while (performance.now() - t < 120);
    });
    document.body.append(s);
  });
  const isBusy = (x: RSpan) => x.name === 'longAnimationFrame' && x.events.some((e) => String(e.attributes['script.source_url']).includes('/busy.js'));
  // Only the script element's listener: a slow machine may also report the window's own load
  // listeners (`DOMWindow.onload`) in a long frame.
  const isOurs = (e: RSpan['events'][number]) => e.attributes['script.invoker_type'] === 'event-listener' && String(e.attributes['script.invoker']).startsWith('SCRIPT[');
  const isListener = (x: RSpan) => x.name === 'longAnimationFrame' && x.events.some(isOurs);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length >= 1 && s.some(isBusy) && s.some(isListener));
  const error = byName(spans, 'error')[0];
  const err = error.events[0].attributes;
  expect(err['code.file.path']).toBe(`${server.origin}/boom.js`);
  expect(err['exception.message']).toBe('boom at http://REDACTED:REDACTED@h.example/x?token=REDACTED');
  expect(error.status.message).toBe(err['exception.message']);
  // The stack keeps its frames and positions; only the secret value is gone.
  expect(err['exception.stacktrace']).toContain(`${server.origin}/boom.js?token=REDACTED:1:`);
  const script = spans.find(isBusy)!.events.find((e) => String(e.attributes['script.source_url']).includes('/busy.js'))!.attributes;
  expect(script['script.invoker_type']).toBe('classic-script');
  expect(script['script.invoker']).toBe(`${server.origin}/busy.js?key=REDACTED`);
  const listener = spans.find(isListener)!.events.find(isOurs)!.attributes;
  expect(listener['script.invoker']).toBe(`SCRIPT[src="${server.origin}/boom.js?sig=REDACTED"].onload`);
  expect(JSON.stringify(spans)).not.toMatch(/SECRET-/);
});

test('URLs the browser quotes in its own error messages (fetch, WebSocket) keep no credentials or secret query values', async ({ page }) => {
  server.page('/quoted.html', `<!doctype html>${START.replace('/sb-zone.js', '/sb.js')}`);
  await page.goto(`${server.origin}/quoted.html`);
  const messages = await page.evaluate(() => {
    // Unparsable (a bad port): the browser's message quotes them whole. Thrown uncaught, from timers.
    setTimeout(() => fetch('https://alice:SECRET-PW@api.example.com:99999/x?token=SECRET-T'));
    setTimeout(() => new WebSocket('wss://bob:SECRET-WSPW@rt.example.com:99999/live?token=SECRET-WS'));
    // A valid one in the app's own message: WebSocket tokens go in the query (no headers there).
    setTimeout(() => {
      throw new Error('socket closed: wss://rt.example.com/live?token=SECRET-WS2');
    });
    return fetch('https://alice:SECRET-PW@api.example.com:99999/x?token=SECRET-T').catch(String);
  });
  expect(messages).toContain('SECRET-PW'); // what the browser says
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length >= 3);
  const msgs = byName(spans, 'error').map((s) => s.events[0].attributes['exception.message']);
  expect(msgs).toEqual(
    expect.arrayContaining([
      "Failed to execute 'fetch' on 'Window': Failed to parse URL from https://api.example.com:99999/x",
      expect.stringMatching(/^Failed to construct 'WebSocket': The URL 'wss:\/\/rt\.example\.com:99999\/live /),
      'socket closed: wss://rt.example.com/live?token=REDACTED',
    ]),
  );
  expect(JSON.stringify(spans)).not.toMatch(/SECRET-/);
});

test('script tag with data-* attributes starts everything by itself', async ({ page }) => {
  server.page(
    '/tag.html',
    `<!doctype html><script src="/sb.js" data-endpoint="/v1/traces" data-service-name="tagged-app" data-service-version="1.2.3" data-environment="staging" data-propagate-to="http://api.example.com, http://other.example.com" data-sample-rate="1" data-disable="longTasks"></script>`,
  );
  await page.goto(`${server.origin}/tag.html`);
  await page.evaluate(() => {
    const w = window as unknown as { handle: unknown; Spanbeam: { start(): unknown } };
    w.handle = w.Spanbeam.start(); // already started: the same handle
    return fetch('/api/data?tag');
  });
  const spans = await waitForSpans(page, server, (s) => s.some((x) => x.kind === 3));
  expect(spans.some((s) => s.name === 'longAnimationFrame')).toBe(false);
  const body = JSON.stringify(server.received.map((r) => r.json));
  for (const v of ['tagged-app', '1.2.3', 'staging']) expect(body).toContain(v);
  expect(server.requests.find((r) => r.path === '/api/data')!.headers.traceparent).toMatch(/^00-/);
});

test('the script tag loaded twice: one SDK, nothing traced twice, the first copy stays the global', async ({ page }) => {
  const tag = (q: string, name: string) => `<script src="/sb.js${q}" data-endpoint="/v1/traces" data-service-name="${name}"></script>`;
  server.page('/twice.html', `<!doctype html>${tag('', 'first')}<script>window.firstApi = Spanbeam</script>${tag('?again', 'second')}`);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.origin}/twice.html`);
  const out = await page.evaluate(async () => {
    type Api = { start(): unknown; getTracer(n: string): { startSpan(n: string): { end(): void } } };
    const w = window as unknown as { handle: unknown; Spanbeam: Api; firstApi: Api };
    w.handle = w.Spanbeam.start();
    w.Spanbeam.getTracer('app').startSpan('custom').end();
    await (await fetch('/api/data?twice')).text();
    // Each copy's wrapper marks the function it wraps: one level means one patch.
    const f = fetch as unknown as { __spanbeam_original: { __spanbeam_original?: unknown } };
    return { same: w.Spanbeam === w.firstApi, patchedTwice: !!f.__spanbeam_original.__spanbeam_original };
  });
  expect(out).toEqual({ same: true, patchedTwice: false });
  await waitForSpans(page, server, (s) => s.some((x) => x.name === 'custom') && s.some((x) => x.kind === 3));
  await page.waitForTimeout(1500); // a second exporter would send its copies by now
  expect(received(server).filter((x) => x.kind === 3 && String(x.attributes['url.full']).endsWith('?twice'))).toHaveLength(1);
  expect(JSON.stringify(server.received.map((r) => r.json))).not.toContain('"second"');
  expect(errors).toEqual([]);
});

test('resourceFetch sizes equal Resource Timing: a cached resource has http.response.size 0, a cross-origin one without Timing-Allow-Origin none', async ({ page }) => {
  server.route('/cached.svg', (_q, res) =>
    void res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=600' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>'),
  );
  const other = server.origin.replace('127.0.0.1', 'localhost');
  server.page('/warm.html', `<!doctype html><img src="/cached.svg"><a id="go" href="/cache.html">go</a>`);
  server.page('/cache.html', `<!doctype html>${START}<img src="/cached.svg"><img src="${other}/cached.svg?xo">`);
  await page.goto(`${server.origin}/warm.html`);
  await page.click('#go'); // a new document: the image comes from the HTTP cache
  await page.waitForURL('**/cache.html');
  const spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  const truth = await page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => ({ name: e.name, size: e.transferSize, body: e.encodedBodySize, decoded: e.decodedBodySize })),
  );
  const res = (url: string) => one(spans, (s) => s.name === 'resourceFetch' && s.attributes['url.full'] === url).attributes;
  const cached = truth.find((e) => e.name === `${server.origin}/cached.svg`)!;
  expect(cached.size).toBe(0);
  expect(cached.body).toBeGreaterThan(0);
  expect(res(cached.name)).toMatchObject({ 'http.response.size': 0, 'http.response.body.size': cached.body, 'http.response.body.decoded_size': cached.decoded });
  // Hidden sizes (all 0) are not reported as sizes.
  expect(truth.find((e) => e.name.endsWith('?xo'))).toMatchObject({ size: 0, body: 0 });
  expect(Object.keys(res(`${other}/cached.svg?xo`)).filter((k) => k.includes('size'))).toEqual([]);
});

test('SDK started after the app replaced the URL: documentLoad and documentFetch have the URL the document was loaded from', async ({ page }) => {
  server.page(
    '/landing.html',
    `<!doctype html><p>landing</p><script>history.replaceState({}, '', '/app/home');
     addEventListener('load', () => setTimeout(() => { const s = document.createElement('script'); s.src = '/sb.js'; s.onload = () => { window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } }); }; document.head.append(s); }, 100));</script>`,
  );
  await page.goto(`${server.origin}/landing.html?code=SECRET-CODE`);
  await page.waitForFunction(() => 'handle' in window);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  expect(await page.evaluate(() => performance.getEntriesByType('navigation')[0].name)).toBe(`${server.origin}/landing.html?code=SECRET-CODE`);
  for (const n of ['documentLoad', 'documentFetch']) expect(one(spans, (s) => s.name === n).attributes['url.full'], n).toBe(`${server.origin}/landing.html?code=REDACTED`);
});

test('resources requested by load handlers are not resourceFetch children: every child ends within documentLoad', async ({ page }) => {
  // The handler's image answers 50 ms later, so it surely ends after the load event (a local
  // answer could come while the load event still ran), and while the page is busy, so before the
  // page is first idle.
  server.route('/img.svg', (q, res) => {
    const send = () => void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
    if (q.url?.includes('onload')) setTimeout(send, 50);
    else send();
  });
  server.page(
    '/onload.html',
    `<!doctype html>${START}<img src="/img.svg?during"><script>addEventListener('load', () => {
       new Image().src = '/img.svg?onload';
       setTimeout(() => { const t = performance.now(); while (performance.now() - t < 300); });
     });</script>`,
  );
  await page.goto(`${server.origin}/onload.html`);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'documentLoad').length === 1);
  // documentLoad may be sent before the handler's image has answered (its entry comes then).
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('?onload')));
  const [onload, loadEventEnd] = await page.evaluate(() => [
    performance.getEntriesByType('resource').find((e) => e.name.endsWith('?onload'))!.toJSON() as PerformanceResourceTiming,
    (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
  ] as const);
  // Requested during the load event, loaded after it.
  expect(onload.startTime).toBeLessThanOrEqual(loadEventEnd);
  expect(onload.responseEnd).toBeGreaterThan(loadEventEnd);
  const doc = one(spans, (s) => s.name === 'documentLoad');
  const res = byName(spans, 'resourceFetch');
  expect(res.map((s) => String(s.attributes['url.full']).replace(server.origin, ''))).toEqual(['/sb-zone.js', '/img.svg?during']);
  for (const r of res) expect(r.end).toBeLessThanOrEqual(doc.end);
});
