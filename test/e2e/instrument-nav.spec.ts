// SPA route changes as a router makes them (a history router like React Router's or Vue Router's,
// and a Navigation API router that intercepts `navigate`): one span per change, its parent, the
// parent of the route's data loading, and no secret of the URL in any of it.
import { test, expect, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, waitForSpans, one, byName, received, type RSpan } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

const NO_NAV_API = `<script>Object.defineProperty(window, 'navigation', { value: undefined, configurable: true });</script>`;
const start = (bundle: string) =>
  `<script src="${bundle}"></script><script>window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>`;

/** A history router: links pushState on click, back/forward re-render on popstate; each render loads the route's data. */
const HISTORY_ROUTER = `<a id="a" href="/r/a?token=T0K3N">a</a> <a id="b" href="/r/b?code=C0D3&x=1">b</a> <a id="frag" href="#access_token=AT0K&state=ST4T3">in-page</a>
<script>
  // The data loading a route's component starts, the way React runs effects: a task after the render.
  const render = () => setTimeout(() => fetch('/api/data?from=' + location.pathname.slice(3)), 20);
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a');
    if (!a || a.id === 'frag') return;
    e.preventDefault();
    history.pushState({}, '', a.href);
    render();
  });
  addEventListener('popstate', render);
</script>`;

/** A Navigation API router: intercepts same-document navigations and loads the route's data in its handler. */
const NAVIGATE_ROUTER = `<a id="a" href="/r/a?token=T0K3N">a</a> <a id="b" href="/r/b?code=C0D3&x=1">b</a> <a id="frag" href="#access_token=AT0K&state=ST4T3">in-page</a>
<script>
  navigation.addEventListener('navigate', (e) => {
    if (!e.canIntercept || e.hashChange || e.downloadRequest) return;
    const to = new URL(e.destination.url).pathname.slice(3);
    e.intercept({ async handler() { await (await fetch('/api/data?from=' + to)).json(); } });
  });
</script>`;

const nav = (spans: RSpan[], type: string, to: string) =>
  one(spans, (s) => s.name === 'navigation' && s.attributes['browser.navigation.type'] === type && String(s.attributes['browser.navigation.to']).includes(to));
const loads = (spans: RSpan[], route: string) => spans.filter((s) => s.kind === 3 && String(s.attributes['url.full']).endsWith(`from=${route}`));
const SECRETS = ['T0K3N', 'C0D3', 'AT0K', 'ST4T3'];

async function browse(page: Page): Promise<RSpan[]> {
  await page.click('#a');
  await expect.poll(() => loads(received(server), 'a').length).toBe(1);
  await page.click('#b');
  await page.waitForURL('**/r/b?*');
  // Past the click's activity window (1 s after its route change and its route's data load): back/forward below has no interaction.
  await expect.poll(() => loads(received(server), 'b').length).toBe(1);
  await page.waitForTimeout(1200);
  await page.goBack();
  await page.waitForURL('**/r/a?*');
  return waitForSpans(page, server, (s) => loads(s, 'a').length === 2 && loads(s, 'b').length === 1 && byName(s, 'navigation').length >= 3);
}

// A browser without the Navigation API on a page with an element of that id: `window.navigation` is the element.
const NAV_ELEMENT = `<nav id="navigation"><a href="/">home</a></nav><script>delete window.navigation;</script>`;

for (const [router, before, html] of [
  ['history router, Navigation API', '', HISTORY_ROUTER],
  // Before the SDK starts, as in a browser without it (this page once removed it after start()).
  ['history router, history fallback', NO_NAV_API, HISTORY_ROUTER],
  // Before, the SDK listened to the element for `currententrychange`: no route change was a span.
  ['history router, history fallback, a <nav id="navigation">', NAV_ELEMENT, HISTORY_ROUTER],
  ['Navigation API router', '', NAVIGATE_ROUTER],
] as const)
  for (const bundle of ['/sb.js', '/sb-zone.js'])
    test(`${router} (${bundle}): back/forward loads the route's data as the navigation span's children, as a link click's load is the click's`, async ({ page }) => {
      // Before, the requests of a back/forward were traces of their own, apart from the route change.
      server.page('/spa.html', `<!doctype html>${before}${start(bundle)}${html}`);
      await page.goto(`${server.origin}/spa.html`);
      const spans = await browse(page);
      const o = server.origin;
      // One span per change, with the Navigation API too (pushState also fires `navigate`).
      expect(byName(spans, 'navigation').map((s) => [s.attributes['browser.navigation.type'], s.attributes['browser.navigation.from'], s.attributes['browser.navigation.to']])).toEqual([
        ['push', `${o}/spa.html`, `${o}/r/a?token=REDACTED`],
        ['push', `${o}/r/a?token=REDACTED`, `${o}/r/b?code=REDACTED&x=1`],
        ['traverse', `${o}/r/b?code=REDACTED&x=1`, `${o}/r/a?token=REDACTED`],
      ]);
      for (const id of ['a', 'b']) {
        const click = one(spans, (s) => s.name === `click a#${id}`);
        expect(nav(spans, 'push', `/r/${id}`).parentSpanId).toBe(click.spanId);
        expect(loads(spans, id)[0].parentSpanId).toBe(click.spanId);
      }
      const back = nav(spans, 'traverse', '/r/a');
      expect(back.parentSpanId).toBe('');
      expect({ parent: loads(spans, 'a')[1].parentSpanId, trace: loads(spans, 'a')[1].traceId }).toEqual({ parent: back.spanId, trace: back.traceId });
    });

for (const api of ['Navigation API', 'history fallback'])
  test(`an in-page anchor's hashchange is the click's child, and OAuth secrets (?code=, #access_token=) never reach a navigation span (${api})`, async ({ page }) => {
    server.page('/spa.html', `<!doctype html>${api === 'history fallback' ? NO_NAV_API : ''}${start('/sb.js')}${HISTORY_ROUTER}`);
    // An OAuth implicit-flow callback: the app reads the fragment, then cleans the URL.
    await page.goto(`${server.origin}/spa.html?code=C0D3&state=ST4T3`);
    await page.evaluate(() => history.replaceState(null, '', '/spa.html'));
    await page.click('#frag');
    await page.waitForURL('**#access_token=*');
    const spans = await waitForSpans(page, server, (s) => byName(s, 'navigation').length >= 2);
    const o = server.origin;
    const hash = nav(spans, 'hashchange', '#access_token');
    expect(hash.attributes['browser.navigation.to']).toBe(`${o}/spa.html#access_token=REDACTED&state=REDACTED`);
    expect(hash.parentSpanId).toBe(one(spans, (s) => s.name === 'click a#frag').spanId);
    expect(nav(spans, 'replace', '/spa.html').attributes['browser.navigation.from']).toBe(`${o}/spa.html?code=REDACTED&state=REDACTED`);
    const text = JSON.stringify(byName(spans, 'navigation').map((s) => [s.name, s.attributes]));
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

for (const api of ['Navigation API', 'history fallback'])
  test(`a route change of the app's own (a session timeout's redirect to login, then a guard's replaceState) is the parent of what follows (${api})`, async ({ page }) => {
    server.page('/spa.html', `<!doctype html>${api === 'history fallback' ? NO_NAV_API : ''}${start('/sb.js')}`);
    await page.goto(`${server.origin}/spa.html`);
    await page.evaluate(() =>
      setTimeout(() => {
        history.pushState({}, '', '/r/account');
        history.replaceState({}, '', '/r/login?next=%2Fr%2Faccount%3Ftoken%3DT0K3N');
        setTimeout(() => fetch('/api/data?from=login'), 50);
      }, 10),
    );
    const spans = await waitForSpans(page, server, (s) => loads(s, 'login').length === 1 && byName(s, 'navigation').length === 2);
    const push = nav(spans, 'push', '/r/account');
    expect(push.parentSpanId).toBe('');
    expect(nav(spans, 'replace', '/r/login').attributes['browser.navigation.to']).toBe(`${server.origin}/r/login?next=REDACTED`);
    expect(nav(spans, 'replace', '/r/login').parentSpanId).toBe(push.spanId);
    expect(loads(spans, 'login')[0].parentSpanId).toBe(push.spanId);
  });

/**
 * A route whose component loads lazily (React.lazy, a Vue async component): the URL changes, its
 * chunk comes ~800 ms later (served slowly here), then the component fetches its data. Each page
 * load's `window.loaded` counts the loads that came back.
 */
const LAZY_ROUTER = `<a id="slow" href="/r/slow">slow</a>
<script>
  window.loaded = 0;
  const render = () => setTimeout(async () => {
    const m = await import('/chunk.js?r=' + Math.random());
    await (await m.load(location.pathname.slice(3))).text();
    window.loaded++;
  }, 0);
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a');
    if (!a) return;
    e.preventDefault();
    history.pushState({}, '', a.href);
    render();
  });
  addEventListener('popstate', render);
</script>`;

for (const bundle of ['/sb.js', '/sb-zone.js'])
  test(`a route that loads its code lazily (a chunk 800 ms late) then its data: the data is the route change's, a later request is not (${bundle})`, async ({ page }) => {
    // Before, the window closed 500 ms after the route change: the data load, after the chunk, was a trace of its own.
    server.route('/chunk.js', (_q, res) =>
      void setTimeout(() => res.writeHead(200, { 'content-type': 'text/javascript' }).end(`export const load = (r) => fetch('/api/data?from=' + r);`), 800),
    );
    server.page('/spa.html', `<!doctype html>${start(bundle)}${LAZY_ROUTER}`);
    await page.goto(`${server.origin}/spa.html`);
    await page.click('#slow');
    await page.waitForFunction(() => (window as unknown as { loaded: number }).loaded === 1);
    // The window closes 1 s after the route's last request ended: past it, a request is a trace of its own.
    await page.waitForTimeout(1500);
    await page.evaluate(() => fetch('/api/data?from=unrelated'));
    await page.goBack();
    await page.waitForURL('**/spa.html');
    await page.waitForFunction(() => (window as unknown as { loaded: number }).loaded === 2);
    const spans = await waitForSpans(page, server, (s) => loads(s, 'slow').length === 1 && loads(s, 'unrelated').length === 1 && loads(s, 'a.html').length === 1);
    const click = one(spans, (s) => s.name === 'click a#slow');
    expect(nav(spans, 'push', '/r/slow').parentSpanId).toBe(click.spanId);
    // A link click's route loads as the click's child (as when it comes at once).
    expect(loads(spans, 'slow')[0].parentSpanId).toBe(click.spanId);
    expect(loads(spans, 'unrelated')[0].parentSpanId).toBe('');
    expect(loads(spans, 'unrelated')[0].traceId).not.toBe(click.traceId);
    // Back: the route change has no cause, its slow route's data is its child.
    const back = nav(spans, 'traverse', '/spa.html');
    expect(back.parentSpanId).toBe('');
    expect(loads(spans, 'a.html')[0].parentSpanId).toBe(back.spanId);
  });

test('a route change of the app’s own whose handler never settles (a hung request) holds the window open for 15 s, not for the visit', async ({ page }) => {
  // Before, its window stayed open while the handler ran: every request with no active span for
  // the rest of the visit (a poll) joined that navigation, where a click's is capped at 15 s.
  test.setTimeout(45_000);
  server.route('/api/hang', (_q, res) => void res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': open\n\n'));
  server.page(
    '/spa.html',
    `<!doctype html>${start('/sb.js')}<script>
      navigation.addEventListener('navigate', (e) => {
        if (e.canIntercept) e.intercept({ async handler() { await (await fetch('/api/hang?from=route')).text(); } });
      });
    </script>`,
  );
  await page.goto(`${server.origin}/spa.html`);
  await page.evaluate(() => setTimeout(() => (window as unknown as { navigation: { navigate(u: string): void } }).navigation.navigate('/r/stuck')));
  await page.waitForURL('**/r/stuck');
  const at = Date.now();
  // While its route loads, a request with no active span is the navigation's (as for a click) …
  await page.waitForTimeout(3000);
  await page.evaluate(() => fetch('/api/data?from=held'));
  // … but not once 15 s have passed.
  await page.waitForTimeout(at + 16_000 - Date.now());
  await page.evaluate(() => fetch('/api/data?from=free'));
  await waitForSpans(page, server, (s) => loads(s, 'free').length === 1);
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => byName(received(server), 'navigation').length).toBe(1);
  const spans = received(server);
  const stuck = nav(spans, 'push', '/r/stuck');
  expect(stuck.parentSpanId).toBe('');
  expect(loads(spans, 'held')[0].parentSpanId).toBe(stuck.spanId);
  expect(loads(spans, 'free')[0].parentSpanId).toBe('');
  expect(loads(spans, 'free')[0].traceId).not.toBe(stuck.traceId);
});

test('the history fallback leaves `history` as the page knows it: no own or enumerable pushState/replaceState, before or after uninstall', async ({ page }) => {
  // Before, the wrappers were enumerable own properties: `Object.keys(history)` listed them, and
  // `history.hasOwnProperty('pushState')` was true, where without the SDK neither holds. (`for…in`
  // lists them natively: WebIDL operations are enumerable on History.prototype.)
  server.page('/spa.html', `<!doctype html>${NO_NAV_API}<script>window.before = Object.getOwnPropertyNames(history);</script>${start('/sb.js')}`);
  await page.goto(`${server.origin}/spa.html`);
  const look = () =>
    page.evaluate(() => {
      const h = history as unknown as Record<string, unknown>;
      const forIn: string[] = [];
      for (const k in h) if (k === 'pushState' || k === 'replaceState') forIn.push(k);
      const proto = ['pushState', 'replaceState'].map((k) => Object.getOwnPropertyDescriptor(History.prototype, k)!);
      return { keys: Object.keys(h), forIn, json: JSON.stringify(Object.entries(h)), own: Object.getOwnPropertyNames(h), proto: proto.map((d) => [d.enumerable, d.writable, d.configurable]) };
    });
  const clean = { keys: [], forIn: ['pushState', 'replaceState'], json: '[]', own: [], proto: [[true, true, true], [true, true, true]] };
  expect(await look()).toEqual(clean);
  // It is wrapped (the fallback is on), and still a route change as before.
  expect(await page.evaluate(() => (history.pushState as unknown as Record<string, unknown>).__spanbeam_original !== undefined)).toBe(true);
  await page.evaluate(() => history.pushState({}, '', '/r/a'));
  await waitForSpans(page, server, (s) => byName(s, 'navigation').length === 1);
  await page.evaluate(() => (window as unknown as { handle: { uninstall(): void } }).handle.uninstall());
  expect(await look()).toEqual(clean);
  expect(await page.evaluate(() => [Object.getOwnPropertyNames(history), (window as unknown as { before: string[] }).before, history.pushState === History.prototype.pushState])).toEqual([[], [], true]);
});
