// What an app developer checks in the collector: the requests a click handler starts, however
// they are reached (timers, promises, native await, callbacks, messages, observers, navigation,
// the app's own spans), are children of that click, with zone.js (its bundle) and without it
// (the plain bundle, where the activity window does the work), and never of another interaction.
import { test, expect, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, waitForSpans, one, type RSpan } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
  server.route('/worker.js', (_q, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end('onmessage = (e) => setTimeout(() => postMessage(e.data), 20);'));
});
test.afterEach(async () => server.close());

/** Each button `#<name>` runs the handler; the requests are `/api/data?from=<name>[suffix]`. */
const SCENARIOS = `
const F = (n) => fetch('/api/data?from=' + n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const app = () => Spanbeam.getTracer('app');
window.scenarios = {
  timeout: () => setTimeout(() => F('timeout'), 30),
  timeoutChain: () => setTimeout(() => setTimeout(() => F('timeoutChain'), 20), 20),
  interval: () => { let n = 0; const id = setInterval(() => { if (++n === 3) { clearInterval(id); F('interval'); } }, 10); },
  raf: () => requestAnimationFrame(() => F('raf')),
  microtask: () => queueMicrotask(() => F('microtask')),
  then: () => Promise.resolve().then(() => 0).then(() => F('then')),
  await: async () => { await null; F('await'); },
  awaits: async () => { await null; await sleep(10); await sleep(10); F('awaits'); },
  awaitFetch: async () => { const r = await F('awaitFetch1'); await r.json(); await F('awaitFetch2'); },
  awaitLoop: async () => { for (let i = 0; i < 3; i++) await (await F('awaitLoop' + i)).text(); },
  fetchThen: () => F('fetchThen1').then((r) => r.json()).then(() => F('fetchThen2')),
  xhr: () => { const x = new XMLHttpRequest(); x.open('GET', '/api/data?from=xhr1'); x.onload = () => F('xhr2'); x.send(); },
  channel: () => { const c = new MessageChannel(); c.port2.addEventListener('message', () => F('channel')); c.port2.start(); c.port1.postMessage(1); },
  postMessage: () => postMessage('ping', '*'),
  worker: () => { const w = new Worker('/worker.js'); w.onmessage = () => { w.terminate(); F('worker'); }; w.postMessage(1); },
  intersection: () => { const d = document.createElement('div'); d.style.height = '4px'; document.body.append(d); new IntersectionObserver((_, o) => { o.disconnect(); F('intersection'); }).observe(d); },
  resize: () => { const d = document.createElement('div'); document.body.append(d); new ResizeObserver((_, o) => { o.disconnect(); F('resize'); }).observe(d); },
  mutation: () => { const d = document.createElement('div'); new MutationObserver((_, o) => { o.disconnect(); F('mutation'); }).observe(d, { childList: true }); d.append('x'); },
  idle: () => requestIdleCallback(() => F('idle'), { timeout: 100 }),
  listener: () => { const t = new EventTarget(); t.addEventListener('later', () => F('listener')); setTimeout(() => t.dispatchEvent(new Event('later')), 20); },
  spa: async () => { history.pushState({}, '', '/spa-' + Math.random().toString(36).slice(2)); await null; F('spa'); },
  appSpan: () => { const s = app().startSpan('app span'); Spanbeam.context.with(s, () => F('appSpan')); s.end(); },
  appNested: () => app().startActiveSpan('app outer', (o) => app().startActiveSpan('app inner', (i) => { F('appNested'); i.end(); o.end(); })),
  appAwait: async () => { const s = app().startSpan('app awaiting'); await sleep(10); Spanbeam.context.with(s, () => F('appAwait')); s.end(); },
};
// Registered before any click (outside every span): the click's message reaches it.
addEventListener('message', (e) => e.data === 'ping' && F('postMessage'));
for (const k in scenarios) {
  const b = document.createElement('button');
  b.id = k;
  b.textContent = k;
  document.body.append(b);
  b.addEventListener('click', scenarios[k]);
}
`;

async function openScenarios(page: Page, bundle: string, options: object = {}): Promise<void> {
  const o = JSON.stringify({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 }, ...options });
  server.page('/ctx.html', `<!doctype html><body><script src="${bundle}"></script><script>window.handle = Spanbeam.start(${o});</script><script>${SCENARIOS}</script></body>`);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.origin}/ctx.html`);
  await page.waitForFunction(() => 'scenarios' in window);
  expect(errors).toEqual([]);
}

const from = (s: RSpan) => (s.kind === 3 ? new URL(String(s.attributes['url.full'])).searchParams.get('from') : null);
const request = (spans: RSpan[], name: string) => one(spans, (s) => from(s) === name);
const has = (...names: string[]) => (spans: RSpan[]) => names.every((n) => spans.some((s) => from(s) === n));

/** Clicks `#id`, waits for its last request, and returns the spans so far and the click span. */
async function run(page: Page, id: string, last: string): Promise<{ spans: RSpan[]; click: RSpan }> {
  await page.click(`#${id}`);
  const spans = await waitForSpans(page, server, has(last));
  return { spans, click: one(spans, (s) => s.name === `click button#${id}`) };
}

const CHILDREN: Array<[id: string, requests: string[]]> = [
  ['timeout', ['timeout']],
  ['timeoutChain', ['timeoutChain']],
  ['interval', ['interval']],
  ['raf', ['raf']],
  ['microtask', ['microtask']],
  ['then', ['then']],
  ['await', ['await']],
  ['awaits', ['awaits']],
  ['awaitFetch', ['awaitFetch1', 'awaitFetch2']],
  ['awaitLoop', ['awaitLoop0', 'awaitLoop1', 'awaitLoop2']],
  ['fetchThen', ['fetchThen1', 'fetchThen2']],
  ['xhr', ['xhr1', 'xhr2']],
  ['channel', ['channel']],
  ['postMessage', ['postMessage']],
  ['worker', ['worker']],
  ['intersection', ['intersection']],
  ['resize', ['resize']],
  ['mutation', ['mutation']],
  ['idle', ['idle']],
  ['listener', ['listener']],
  ['spa', ['spa']],
];

for (const [bundle, zone] of [['/sb-zone.js', true], ['/sb.js', false]] as const) {
  test.describe(zone ? 'with zone.js' : 'without zone.js', () => {
    test('requests a click handler starts, however reached, are children of the click, in its trace', async ({ page }) => {
      test.setTimeout(90_000);
      await openScenarios(page, bundle);
      for (const [id, requests] of CHILDREN) {
        const { spans, click } = await run(page, id, requests[requests.length - 1]);
        for (const name of requests) {
          const r = request(spans, name);
          expect({ name, parent: r.parentSpanId, trace: r.traceId }).toEqual({ name, parent: click.spanId, trace: click.traceId });
        }
        if (id === 'spa') expect(one(spans, (s) => s.name === 'navigation').parentSpanId).toBe(click.spanId);
      }
    });

    test('the app’s own spans in a click handler: its span is the request’s parent and the click’s child', async ({ page }) => {
      await openScenarios(page, bundle);
      for (const [id, span] of [['appSpan', 'app span'], ['appNested', 'app inner'], ['appAwait', 'app awaiting']]) {
        const { spans, click } = await run(page, id, id);
        const app = one(spans, (s) => s.name === span);
        expect(request(spans, id).parentSpanId).toBe(app.spanId);
        const outer = id === 'appNested' ? one(spans, (s) => s.name === 'app outer') : app;
        if (outer !== app) expect(app.parentSpanId).toBe(outer.spanId);
        expect(outer.parentSpanId).toBe(click.spanId);
        expect(new Set([click, outer, app, request(spans, id)].map((s) => s.traceId)).size).toBe(1);
      }
    });

    test('work that starts after the activity window is not the click’s, except a timer zone.js carries', async ({ page }) => {
      await openScenarios(page, bundle, { instrumentations: { interactions: { activityWindowMs: 200 } } });
      await page.evaluate(() => {
        const F = (n: string) => fetch('/api/data?from=' + n);
        const b = document.createElement('button');
        b.id = 'late';
        document.body.append(b);
        b.addEventListener('click', async () => {
          setTimeout(() => F('lateTimer'), 900);
          await new Promise((r) => setTimeout(r, 900));
          F('lateAwait');
        });
      });
      await page.click('#late');
      const spans = await waitForSpans(page, server, has('lateTimer', 'lateAwait'));
      const click = one(spans, (s) => s.name === 'click button#late');
      // zone.js follows the timer (as it follows an interval or a listener, however late) …
      expect(request(spans, 'lateTimer').parentSpanId).toBe(zone ? click.spanId : '');
      // … and nothing follows a native await: past the window it is a trace of its own.
      expect(request(spans, 'lateAwait').parentSpanId).toBe('');
      expect(request(spans, 'lateAwait').traceId).not.toBe(click.traceId);
    });

    test('a second click while the first one’s work is still running: each click’s requests are its own', async ({ page }) => {
      await openScenarios(page, bundle);
      await page.evaluate(() => {
        const F = (n: string) => fetch('/api/data?from=' + n);
        for (const id of ['first', 'second']) {
          const b = document.createElement('button');
          b.id = id;
          document.body.append(b);
          b.addEventListener('click', async () => {
            F(id + 'Sync');
            setTimeout(() => F(id + 'Timer'), 400);
            await null;
            F(id + 'Await');
          });
        }
      });
      await page.click('#first');
      await page.click('#second');
      const spans = await waitForSpans(page, server, has('firstTimer', 'secondTimer', 'secondAwait'));
      const first = one(spans, (s) => s.name === 'click button#first');
      const second = one(spans, (s) => s.name === 'click button#second');
      for (const n of ['Sync', 'Await']) {
        expect(request(spans, 'first' + n).parentSpanId).toBe(first.spanId);
        expect(request(spans, 'second' + n).parentSpanId).toBe(second.spanId);
      }
      // The first's timer fires inside the second's activity window: only zone.js knows it is the first's.
      if (zone) expect(request(spans, 'firstTimer').parentSpanId).toBe(first.spanId);
      expect(request(spans, 'secondTimer').parentSpanId).toBe(second.spanId);
    });

    test('a click made while an Enter in the same form is still being handled is an interaction of its own', async ({ page }) => {
      await openScenarios(page, bundle);
      await page.evaluate(() => {
        document.body.insertAdjacentHTML('beforeend', '<form id="f"><input id="q"><button id="go">Go</button><button type="button" id="clear">Clear</button></form>');
        const F = (n: string) => fetch('/api/data?from=' + n);
        document.getElementById('f')!.addEventListener('submit', (e) => {
          e.preventDefault();
          const t = performance.now();
          while (performance.now() - t < 400); // a heavy render: the click below waits for it
          F('search');
        });
        document.getElementById('clear')!.addEventListener('click', () => F('clear'));
      });
      const box = (await page.locator('#clear').boundingBox())!;
      await page.focus('#q');
      const enter = page.keyboard.press('Enter');
      await page.waitForTimeout(100);
      // The browser dispatches this input right after the busy task, before the SDK's timer ends the first interaction.
      await Promise.all([enter, page.mouse.click(box.x + 4, box.y + 4)]);
      const spans = await waitForSpans(page, server, has('search', 'clear'));
      const key = one(spans, (s) => s.name === 'keydown input#q');
      const click = one(spans, (s) => s.name === 'click button#clear');
      expect(request(spans, 'search').parentSpanId).toBe(key.spanId);
      expect(request(spans, 'clear').parentSpanId).toBe(click.spanId);
      expect(click.parentSpanId).toBe('');
    });
  });
}

test('with zone.js and no activity window, context itself follows timers, promises, callbacks, observers and workers', async ({ page }) => {
  test.setTimeout(60_000);
  await openScenarios(page, '/sb-zone.js', { instrumentations: { interactions: { activityWindowMs: 0 } } });
  const carried = ['timeout', 'timeoutChain', 'interval', 'raf', 'microtask', 'then', 'fetchThen', 'xhr', 'channel', 'worker', 'intersection', 'mutation', 'listener'];
  for (const id of carried) {
    const requests = CHILDREN.find(([i]) => i === id)![1];
    const { spans, click } = await run(page, id, requests[requests.length - 1]);
    for (const name of requests) expect({ name, parent: request(spans, name).parentSpanId }).toEqual({ name, parent: click.spanId });
  }
});

test.describe('zone: false with the script-tag bundles', () => {
  for (const [pre, bundle] of [
    ['', '/sb-zone.js'],
    ['<script src="/node_modules/zone.js/bundles/zone.umd.min.js"></script>', '/sb.js'],
  ]) {
    test(`Spanbeam.start({ zone: false }) keeps context synchronous (${bundle})`, async ({ page }) => {
      server.page('/nozone.html', `<!doctype html>${pre}<script src="${bundle}"></script>
        <script>window.handle = Spanbeam.start({ zone: false, endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 }, instrumentations: { interactions: { activityWindowMs: 0 } } });</script>
        <button id="b">b</button>
        <script>document.getElementById('b').addEventListener('click', () => setTimeout(() => fetch('/api/data?from=timer'), 300));</script>`);
      await page.goto(`${server.origin}/nozone.html`);
      expect(await page.evaluate(() => typeof (window as unknown as { Zone?: unknown }).Zone)).toBe('function');
      await page.click('#b');
      const spans = await waitForSpans(page, server, has('timer'));
      one(spans, (s) => s.name === 'click button#b');
      expect(request(spans, 'timer').parentSpanId).toBe('');
      // Set before start() by the bundle, the Zone manager is gone: nothing follows the timer.
      expect(await activeAfterTimer(page)).toBe(false);
    });
  }

  test('without the option, the zone bundle keeps following async work', async ({ page }) => {
    server.page('/zone.html', `<!doctype html><script src="/sb-zone.js"></script><script>window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory' } });</script>`);
    await page.goto(`${server.origin}/zone.html`);
    expect(await activeAfterTimer(page)).toBe(true);
  });
});

/** Whether the script-tag global's active span is still active in a timer started inside it. */
function activeAfterTimer(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
        S.getTracer('t').startActiveSpan('outer', (s) => setTimeout(() => resolve(S.getActiveSpan() === s), 1));
      }),
  );
}
