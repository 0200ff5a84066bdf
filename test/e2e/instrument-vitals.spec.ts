// INP: reported by web-vitals when the page hides, as a span tied to the interaction that caused it.
import { test, expect, type CDPSession, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, waitForSpans, one, byName, received } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

test('INP is a child of the click span that caused it, with attribution and semantic-convention names', async ({ page }) => {
  // Headless Chromium starves requestIdleCallback after input events, and web-vitals processes
  // event timing in idle callbacks; run them as timers so the metric is computed as in a real tab.
  await page.addInitScript(() => {
    window.requestIdleCallback = (cb: IdleRequestCallback) =>
      setTimeout(() => cb({ didTimeout: false, timeRemaining: () => 50 }), 1) as unknown as number;
  });
  server.page(
    '/inp.html',
    `<!doctype html><script src="/sb-zone.js"></script>
     <script>window.handle = Spanbeam.start({ serviceName: 'inp-test', endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>
     <button id="slow" data-trace-name="slow button">slow</button>
     <script>document.getElementById('slow').addEventListener('click', () => { const t = performance.now(); while (performance.now() - t < 150); });</script>`,
  );
  await page.goto(`${server.origin}/inp.html`);
  await page.waitForTimeout(200);
  await page.click('#slow');
  await page.waitForTimeout(300);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'INP').length === 1);
  const click = one(spans, (s) => s.name === 'click slow button');
  const inp = byName(spans, 'INP')[0];
  expect(inp.traceId).toBe(click.traceId);
  expect(inp.parentSpanId).toBe(click.spanId);
  expect(inp.attributes['browser.web_vital.name']).toBe('inp');
  expect(inp.attributes['browser.web_vital.value']).toBeGreaterThanOrEqual(150);
  expect(inp.attributes['browser.web_vital.rating']).toMatch(/needs-improvement|poor|good/);
  expect(inp.attributes['browser.web_vital.attribution.element']).toBe('#slow');
  expect(inp.attributes['browser.web_vital.attribution.event_type']).toBe('pointer');
  expect(inp.attributes['browser.web_vital.attribution.processing_duration']).toBeGreaterThanOrEqual(140);
  expect(inp.end - inp.start).toBeGreaterThanOrEqual(150);
});

// Headless Chromium starves requestIdleCallback after input events, and web-vitals processes
// event timing in idle callbacks; run them as timers so the metric is computed as in a real tab.
const idleAsTimers = (page: Page) =>
  page.addInitScript(() => {
    window.requestIdleCallback = (cb: IdleRequestCallback) =>
      setTimeout(() => cb({ didTimeout: false, timeRemaining: () => 50 }), 1) as unknown as number;
  });

const TWO_BUTTONS = `<!doctype html><script src="/node_modules/web-vitals/dist/web-vitals.attribution.iife.js"></script>
  <script>webVitals.onINP((m) => (window.truth = m.attribution.interactionTarget));</script>
  <script src="/sb-zone.js"></script>
  <script>window.handle = Spanbeam.start({ serviceName: 'inp-test', endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>
  <button id="slow" data-trace-name="slow button">slow</button><button id="fast" data-trace-name="fast button">fast</button>
  <script>document.getElementById('slow').addEventListener('click', () => { const t = performance.now(); while (performance.now() - t < 700); });</script>`;

const hide = (page: Page) =>
  page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });

test('INP is tied to the slow click that caused it, not to a click the user made while its handler still ran', async ({ page }) => {
  await idleAsTimers(page);
  server.page('/inp2.html', TWO_BUTTONS);
  await page.goto(`${server.origin}/inp2.html`);
  await page.waitForTimeout(500);
  // Sent without waiting for the page: the second click happens 80 ms into the first one's 700 ms
  // handler, so its event falls within the first interaction's INP window (with 300 ms, a loaded
  // machine's input latency once put it just after).
  const cdp = await page.context().newCDPSession(page);
  const [slowBox, fastBox] = [(await page.locator('#slow').boundingBox())!, (await page.locator('#fast').boundingBox())!];
  const click = (b: { x: number; y: number }) => {
    const at = { x: b.x + 3, y: b.y + 3, button: 'left' as const, clickCount: 1 };
    return Promise.all([cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at }), cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at })]);
  };
  const first = click(slowBox);
  await new Promise((r) => setTimeout(r, 80));
  await Promise.all([first, click(fastBox)]);
  await page.waitForTimeout(1000);
  await hide(page);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'INP').length === 1 && byName(s, 'click fast button').length >= 1);
  expect(await page.evaluate(() => (window as unknown as { truth: string }).truth)).toBe('#slow');
  const slow = one(spans, (s) => s.name === 'click slow button');
  const inp = byName(spans, 'INP')[0];
  // The fast click did happen within the slow interaction's INP span.
  expect(one(spans, (s) => s.name === 'click fast button').start).toBeLessThan(inp.end);
  expect(inp.parentSpanId).toBe(slow.spanId);
});

test('INP is tied to its click, not to an earlier click dispatched within its time', async ({ page }) => {
  // Before, the earlier click, dispatched (after a long task it waited for) once the slow click's
  // input had happened, took the INP. The slow click's input is given the time it happened at (it
  // reached the page late, as input does when the browser is busy), so the page dispatches it after
  // a frame: the earlier click's interaction is over by then, and the slow one is the INP.
  await idleAsTimers(page);
  server.page('/inp-queued.html', TWO_BUTTONS);
  await page.goto(`${server.origin}/inp-queued.html`);
  await page.waitForTimeout(500);
  const cdp = await page.context().newCDPSession(page);
  const [slowBox, fastBox] = [(await page.locator('#slow').boundingBox())!, (await page.locator('#fast').boundingBox())!];
  const click = (b: { x: number; y: number }, timestamp?: number) => {
    const at = { x: b.x + 3, y: b.y + 3, button: 'left' as const, clickCount: 1, timestamp };
    return Promise.all([cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at }), cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at })]);
  };
  // A 600 ms task of the page's own; the fast click comes during it and waits for it.
  await page.evaluate(() =>
    setTimeout(() => {
      const t = performance.now();
      (window as unknown as { busy: number }).busy = performance.timeOrigin + t;
      while (performance.now() - t < 600);
    }, 50),
  );
  await new Promise((r) => setTimeout(r, 150));
  await click(fastBox);
  await page.waitForTimeout(300);
  // Its input happened 400 ms into the task: after the fast click's, before that was dispatched.
  await click(slowBox, (await page.evaluate(() => (window as unknown as { busy: number }).busy) + 400) / 1000);
  await page.waitForTimeout(1000);
  await hide(page);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'INP').length === 1 && byName(s, 'click fast button').length === 1);
  expect(await page.evaluate(() => (window as unknown as { truth: string }).truth)).toBe('#slow');
  const fastClick = one(spans, (s) => s.name === 'click fast button');
  const inp = byName(spans, 'INP')[0];
  // The fast click was dispatched within the slow interaction's INP span.
  expect(fastClick.end).toBeGreaterThan(inp.start);
  expect(inp.parentSpanId).toBe(one(spans, (s) => s.name === 'click slow button').spanId);
});

test('INP is tied to its click also after many more clicks', async ({ page }) => {
  await idleAsTimers(page);
  server.page('/inp-many.html', TWO_BUTTONS);
  await page.goto(`${server.origin}/inp-many.html`);
  await page.waitForTimeout(500);
  await page.click('#slow');
  for (let i = 0; i < 20; i++) await page.click('#fast');
  await page.waitForTimeout(300);
  await hide(page);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'INP').length === 1);
  expect(await page.evaluate(() => (window as unknown as { truth: string }).truth)).toBe('#slow');
  expect(byName(spans, 'click fast button')).toHaveLength(20);
  const slow = one(spans, (s) => s.name === 'click slow button');
  expect(byName(spans, 'INP')[0].parentSpanId).toBe(slow.spanId);
});

test('INP is tied to its click also after hundreds of route changes of the app’s own (a player keeping `?t=` in the URL)', async ({ page }) => {
  // Before, each route change with no cause took one of the 200 places kept for interactions: the
  // slow click made before them lost its INP. The page's clocks skip ahead 1.1 s after each change,
  // so that each one is past the last one's activity window, as when they come seconds apart.
  await idleAsTimers(page);
  await page.addInitScript(() => {
    let skipped = 0;
    const now = performance.now.bind(performance);
    const wall = Date.now;
    performance.now = () => now() + skipped;
    Date.now = () => wall() + skipped;
    (window as unknown as { skip(ms: number): void }).skip = (ms) => void (skipped += ms);
  });
  server.page('/inp-player.html', TWO_BUTTONS);
  await page.goto(`${server.origin}/inp-player.html`);
  await page.waitForTimeout(500);
  await page.click('#slow');
  await page.waitForTimeout(300);
  await page.evaluate(async () => {
    for (let i = 0; i < 210; i++) {
      (window as unknown as { skip(ms: number): void }).skip(1100);
      history.replaceState(null, '', `?t=${i * 5}`);
      await new Promise((r) => setTimeout(r, 0));
    }
  });
  await hide(page);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'INP').length === 1 && byName(s, 'navigation').length === 210, 15_000);
  expect(await page.evaluate(() => (window as unknown as { truth: string }).truth)).toBe('#slow');
  const slow = one(spans, (s) => s.name === 'click slow button');
  expect(byName(spans, 'INP')[0].parentSpanId).toBe(slow.spanId);
  // Each is a trace of its own: none was within another's window.
  expect(byName(spans, 'navigation').filter((s) => s.parentSpanId)).toEqual([]);
});

test('with zone.js, an unhandled rejection becomes an error span once, and zone.js still logs it', async ({ page }) => {
  const logged: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') logged.push(m.text());
  });
  server.page(
    '/rej.html',
    `<!doctype html><script src="/sb-zone.js"></script>
     <script>window.handle = Spanbeam.start({ serviceName: 'rej-test', endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>`,
  );
  await page.goto(`${server.origin}/rej.html`);
  expect(await page.evaluate(() => typeof (window as unknown as { Zone?: unknown }).Zone)).toBe('function');
  await page.evaluate(() => {
    void Promise.reject(new SyntaxError('nobody caught me'));
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length >= 1);
  await page.waitForTimeout(200);
  const errors = byName(received(server), 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0].attributes['error.source']).toBe('unhandledrejection');
  expect(errors[0].events[0].attributes['exception.type']).toBe('SyntaxError');
  expect(spans.length).toBeGreaterThan(0);
  expect(logged.some((t) => t.includes('nobody caught me'))).toBe(true);
});

test('after a back/forward cache restore, FCP and TTFB spans start at the restore, not at navigation start', async ({ page }) => {
  server.page(
    '/bf.html',
    `<!doctype html><script src="/sb-zone.js"></script>
     <script>window.handle = Spanbeam.start({ serviceName: 'bf-test', endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>
     <p>content</p>`,
  );
  await page.goto(`${server.origin}/bf.html`);
  await page.waitForTimeout(1000);
  // web-vitals treats any persisted pageshow as a restore (a real one needs a navigation away and back).
  const restoredAt = await page.evaluate(() => {
    const e = new PageTransitionEvent('pageshow', { persisted: true });
    window.dispatchEvent(e);
    return performance.timeOrigin + e.timeStamp;
  });
  await page.waitForTimeout(300);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const bf = (s: ReturnType<typeof received>, name: string) =>
    byName(s, name).filter((x) => x.attributes['browser.web_vital.navigation_type'] === 'back-forward-cache');
  const spans = await waitForSpans(page, server, (s) => bf(s, 'FCP').length === 1 && bf(s, 'TTFB').length === 1);
  for (const name of ['FCP', 'TTFB']) {
    const s = bf(spans, name)[0];
    expect(Math.abs(s.start - restoredAt), name).toBeLessThan(5);
    expect(s.end - s.start).toBeCloseTo(s.attributes['browser.web_vital.value'] as number, 0);
  }
});

test('reportAllChanges: every report keeps its own value, delta and time, also those held until the page-load span exists', async ({ page }) => {
  // The load is held back 3 s by an image, so web vitals start (first idle) well before the
  // page-load span is built (after load) and their reports wait for it. web-vitals itself, loaded
  // in the page, is the ground truth.
  server.route('/late.svg', (_q, res) =>
    void setTimeout(() => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'), 3000),
  );
  server.page(
    '/all.html',
    `<!doctype html><script src="/node_modules/web-vitals/dist/web-vitals.attribution.iife.js"></script>
     <script>
       window.truth = [];
       for (const f of ['onLCP', 'onCLS']) webVitals[f]((m) => truth.push({ name: m.name, value: m.value, delta: m.delta, at: performance.timeOrigin + performance.now() }), { reportAllChanges: true });
     </script>
     <script src="/sb.js"></script>
     <script>window.handle = Spanbeam.start({ serviceName: 'all', endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 }, instrumentations: { webVitals: { reportAllChanges: true } } });</script>
     <p>first</p><div id="shift"></div><p>below</p><img src="/late.svg">
     <script>
       setTimeout(() => document.body.insertAdjacentHTML('beforeend', '<h1 style="font-size:80px">a larger paint</h1>'), 1200);
       setTimeout(() => (document.getElementById('shift').style.height = '40px'), 1600);
       setTimeout(() => (document.getElementById('shift').style.height = '120px'), 2000);
     </script>`,
  );
  await page.goto(`${server.origin}/all.html`, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.readyState === 'complete', undefined, { timeout: 10_000 });
  const truth = await page.evaluate(() => (window as unknown as { truth: Array<{ name: string; value: number; delta: number; at: number }> }).truth);
  // Two LCP candidates and two layout shifts, all before load.
  expect(truth.filter((t) => t.name === 'LCP').length).toBeGreaterThanOrEqual(2);
  expect(truth.filter((t) => t.name === 'CLS' && t.value > 0).length).toBe(2);
  const last = (n: string) => truth.filter((t) => t.name === n).at(-1)!.value;
  const spans = await waitForSpans(page, server, (s) =>
    ['LCP', 'CLS'].every((n) => byName(s, n).some((x) => x.attributes['browser.web_vital.value'] === last(n))),
  );
  for (const name of ['LCP', 'CLS']) {
    const want = truth.filter((t) => t.name === name && t.value > 0);
    const got = byName(spans, name).filter((s) => (s.attributes['browser.web_vital.value'] as number) > 0);
    expect(got.map((s) => [s.attributes['browser.web_vital.value'], s.attributes['browser.web_vital.delta']]), name).toEqual(want.map((t) => [t.value, t.delta]));
    // A CLS span is at its report (held ones too), not when the page-load span was built.
    if (name === 'CLS') for (const [i, t] of want.entries()) expect(Math.abs(got[i].start - t.at)).toBeLessThan(100);
  }
});

// An INP whose interaction we do not trace lends itself to no span: before, it was tied by time to
// any traced interaction whose event came within it (a click made while it was slow, the `change`
// that click's focus move fired), so the INP span named the wrong interaction.
const UNTRACED = (startLate: boolean) => `<!doctype html><script src="/node_modules/web-vitals/dist/web-vitals.attribution.iife.js"></script>
  <script>webVitals.onINP((m) => (window.truth = { target: m.attribution.interactionTarget, type: m.attribution.interactionType }));</script>
  <script src="/sb-zone.js"></script>
  <script>const go = () => (window.handle = Spanbeam.start({ serviceName: 'inp-test', endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } }));
    ${startLate ? '' : 'go();'}</script>
  <input id="text"><button id="slow">slow</button><button id="fast" data-trace-name="fast button">fast</button>
  <script>
    const busy = (ms) => { const t = performance.now(); while (performance.now() - t < ms); };
    document.getElementById('text').addEventListener('keydown', () => busy(500));
    // An app that starts tracing at the end of its first click's slow handler (on window: the
    // SDK's listeners, added there now, miss this dispatch).
    addEventListener('click', (e) => { if (e.target.id === 'slow') busy(500), window.handle || go(); });
  </script>`;

/** Sends `first` (CDP input events, not waiting for the page), then a click on #fast 100 ms later, while the page is still busy with the first. */
async function thenFastClick(page: Page, first: (cdp: CDPSession) => Promise<unknown>) {
  const cdp = await page.context().newCDPSession(page);
  const b = (await page.locator('#fast').boundingBox())!;
  const at = { x: b.x + 3, y: b.y + 3, button: 'left' as const, clickCount: 1 };
  const sent = first(cdp);
  await new Promise((r) => setTimeout(r, 100));
  await Promise.all([sent, cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at }), cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at })]);
  await page.waitForTimeout(1000);
  await hide(page);
}

test('INP of a letter typed into a text input (not traced) is the page load’s child, not a click made while it was slow', async ({ page }) => {
  await idleAsTimers(page);
  server.page('/inp-typed.html', UNTRACED(false));
  await page.goto(`${server.origin}/inp-typed.html`);
  await page.focus('#text');
  await page.waitForTimeout(500);
  await thenFastClick(page, (cdp) =>
    Promise.all(
      (['keyDown', 'keyUp'] as const).map((type) => cdp.send('Input.dispatchKeyEvent', { type, key: 'a', code: 'KeyA', text: 'a', windowsVirtualKeyCode: 65 })),
    ),
  );
  const spans = await waitForSpans(page, server, (s) => byName(s, 'INP').length === 1 && byName(s, 'click fast button').length === 1);
  expect(await page.evaluate(() => (window as unknown as { truth: object }).truth)).toEqual({ target: '#text', type: 'keyboard' });
  const inp = byName(spans, 'INP')[0];
  expect(inp.attributes['browser.web_vital.attribution.event_type']).toBe('keyboard');
  // The click came 100 ms into the 500 ms keydown; it also blurred the input (a `change` span).
  expect(one(spans, (s) => s.name === 'click fast button').start).toBeLessThan(inp.end);
  expect(inp.parentSpanId).toBe(one(spans, (s) => s.name === 'documentLoad').spanId);
});

test('INP of a click made before start() is not tied to a click traced while it was slow', async ({ page }) => {
  await idleAsTimers(page);
  server.page('/inp-before.html', UNTRACED(true));
  await page.goto(`${server.origin}/inp-before.html`);
  await page.waitForTimeout(500);
  const b = (await page.locator('#slow').boundingBox())!;
  const at = { x: b.x + 3, y: b.y + 3, button: 'left' as const, clickCount: 1 };
  await thenFastClick(page, (cdp) =>
    Promise.all([cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at }), cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at })]),
  );
  const spans = await waitForSpans(page, server, (s) => byName(s, 'INP').length === 1 && byName(s, 'click fast button').length === 1);
  expect(await page.evaluate(() => (window as unknown as { truth: object }).truth)).toEqual({ target: '#slow', type: 'pointer' });
  const inp = byName(spans, 'INP')[0];
  expect(inp.attributes['browser.web_vital.attribution.element']).toBe('#slow');
  expect(one(spans, (s) => s.name === 'click fast button').start).toBeLessThan(inp.end);
  expect(spans.filter((s) => s.name.startsWith('click')).map((s) => s.spanId)).not.toContain(inp.parentSpanId);
});

// web-vitals knows an INP by the Event Timing entries of its frame: those of a slow pointerdown
// (not the click, when the button was released after that frame), of a Space's keyup and click
// (not the keydown our span starts at). Before, neither was tied to its span.
const OWN_EVENTS = `<!doctype html><script src="/node_modules/web-vitals/dist/web-vitals.attribution.iife.js"></script>
  <script>webVitals.onINP((m) => (window.truth = m.entries.map((e) => e.name)));</script>
  <script src="/sb-zone.js"></script>
  <script>window.handle = Spanbeam.start({ serviceName: 'inp-test', endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>
  <button id="press" data-trace-name="press">press</button><button id="key" data-trace-name="key">key</button>
  <script>
    const busy = (ms) => { const t = performance.now(); while (performance.now() - t < ms); };
    document.getElementById('press').addEventListener('pointerdown', () => busy(300));
    document.getElementById('key').addEventListener('click', () => busy(300));
  </script>`;

test('INP of a slow pointerdown is tied to its click, also when the button was released after it painted', async ({ page }) => {
  await idleAsTimers(page);
  server.page('/inp-press.html', OWN_EVENTS);
  await page.goto(`${server.origin}/inp-press.html`);
  await page.waitForTimeout(500);
  const cdp = await page.context().newCDPSession(page);
  const b = (await page.locator('#press').boundingBox())!;
  const at = { x: b.x + 3, y: b.y + 3, button: 'left' as const, clickCount: 1 };
  const down = cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at });
  await new Promise((r) => setTimeout(r, 700));
  await Promise.all([down, cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at })]);
  await page.waitForTimeout(500);
  await hide(page);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'INP').length === 1 && byName(s, 'click press').length === 1);
  expect(await page.evaluate(() => (window as unknown as { truth: string[] }).truth)).not.toContain('click');
  const inp = byName(spans, 'INP')[0];
  expect(inp.attributes['browser.web_vital.value']).toBeGreaterThanOrEqual(300);
  expect(inp.parentSpanId).toBe(one(spans, (s) => s.name === 'click press').spanId);
});

test('INP of Space on a button (its click on keyup) is tied to the keydown span', async ({ page }) => {
  await idleAsTimers(page);
  server.page('/inp-space.html', OWN_EVENTS);
  await page.goto(`${server.origin}/inp-space.html`);
  await page.focus('#key');
  await page.waitForTimeout(500);
  await page.keyboard.down(' ');
  await page.waitForTimeout(100);
  await page.keyboard.up(' ');
  await page.waitForTimeout(500);
  await hide(page);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'INP').length === 1 && byName(s, 'keydown key').length === 1);
  expect(await page.evaluate(() => (window as unknown as { truth: string[] }).truth)).not.toContain('keydown');
  const inp = byName(spans, 'INP')[0];
  expect(inp.attributes['browser.web_vital.attribution.event_type']).toBe('keyboard');
  expect(inp.parentSpanId).toBe(one(spans, (s) => s.name === 'keydown key').spanId);
});
