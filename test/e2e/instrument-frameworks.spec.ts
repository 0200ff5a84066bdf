// Interaction spans in a real React 19 app (bundled here from the devDependencies), with and
// without zone.js: what a team adding the SDK to its app sees in its traces.
import { expect, test } from '@playwright/test';
import { build, type Rollup } from 'vite';
import { resolve } from 'node:path';
import type { TestServer } from '../support/server';
import { appServer, one, waitForSpans, type RSpan } from './instrument-support';

const ROOT = resolve(import.meta.dirname, '../..');
const apps = new Map<string, Promise<string>>();
const reactApp = (name: string) => {
  if (!apps.has(name))
    apps.set(
      name,
      build({
        configFile: false,
        logLevel: 'warn',
        root: ROOT,
        define: { 'process.env.NODE_ENV': '"production"' },
        build: { write: false, target: 'es2022', minify: false, lib: { entry: resolve(ROOT, `test/pages/frameworks/${name}`), formats: ['es'], fileName: () => 'app.js' } },
      }).then((r) => ((Array.isArray(r) ? r[0] : r) as Rollup.RollupOutput).output[0].code),
    );
  return apps.get(name)!;
};

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
  for (const name of ['react-traced.js', 'react-router.js']) {
    const js = await reactApp(name);
    server.route(`/${name}`, (_q, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end(js));
  }
});
test.afterEach(async () => server.close());

const interactions = (spans: RSpan[]) => spans.filter((s) => 'interaction.type' in s.attributes);
const fetchFrom = (spans: RSpan[], from: string) => one(spans, (s) => String(s.attributes['url.full']).includes(`from=${from}`));

for (const bundle of ['/sb.js', '/sb-zone.js']) {
  test(`React: one span per click, also when its handler clicks a hidden file input; names stable across mounts (${bundle})`, async ({ page }) => {
    server.page(
      '/react.html',
      `<!doctype html><script src="${bundle}"></script>
       <script>window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>
       <div id="root"></div><script type="module" src="/react-traced.js"></script>`,
    );
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.origin + '/react.html');
    await page.click('#upload');
    await page.click('.menu-trigger');
    await page.click('#remount');
    await page.click('.menu-trigger');
    const spans = await waitForSpans(page, server, (s) => interactions(s).length >= 4 && s.filter((x) => String(x.attributes['url.full']).includes('from=')).length === 3);
    // The file input's click() is part of the user's click: no second interaction (before, a span
    // "click input[type="file"]" inside it, or a trace of its own where the handler was not wrapped).
    const upload = one(spans, (s) => s.name === 'click button#upload');
    expect(fetchFrom(spans, 'upload').parentSpanId).toBe(upload.spanId);
    // useId gives the remounted menu button a new id (_r_0_, then _r_1_): not in the span name.
    expect(interactions(spans).map((s) => s.name)).toEqual(['click button#upload', 'click button.menu-trigger', 'click button#remount', 'click button.menu-trigger']);
    expect(await page.locator('.menu-trigger').getAttribute('id')).toMatch(/^menu-_r_\w+_$/);
    expect(errors).toEqual([]);
  });
}

for (const bundle of ['/sb.js', '/sb-zone.js'])
  test(`React with a history router: one span per route change, none for its scroll-position saves, the route's data loads (after await) its children; history as without the SDK (${bundle})`, async ({ page }) => {
    const html = (sdk: boolean) =>
      `<!doctype html>${sdk ? `<script src="${bundle}"></script><script>window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>` : ''}
       <div id="root"></div><script type="module" src="/react-router.js"></script>`;
    server.page('/r/home', html(true));
    server.page('/bare/r/home', html(false));
    const loaded = (path: string) => page.waitForFunction((p) => document.getElementById('route')?.textContent?.startsWith(p + ' {'), path);
    const browse = async (base: string) => {
      await page.goto(`${server.origin}${base}/r/home`);
      await loaded(`${base}/r/home`);
      const entries = await page.evaluate(() => history.length);
      // Past the page load's requests' windows: the route changes below are the clicks'.
      await page.waitForTimeout(1200);
      await page.click('#a');
      await loaded('/r/a');
      await page.waitForTimeout(1200);
      await page.click('#b');
      await page.click('#c');
      await loaded('/r/c');
      await page.waitForTimeout(1200);
      await page.goBack();
      await loaded('/r/b');
      return page.evaluate((n) => [history.length - n, JSON.stringify(history.state), location.href.replace(location.origin, '')], entries);
    };
    const bare = await browse('/bare');
    const traced = await browse('');
    expect(traced).toEqual(bare);
    const o = server.origin;
    const isNav = (s: RSpan) => s.name === 'navigation';
    const spans = await waitForSpans(page, server, (s) => s.filter(isNav).length >= 4 && s.filter((x) => String(x.attributes['url.full']).includes('from=b-2')).length === 2);
    // Three state-only replaceState calls per click (scroll saves before and after the push, and after the render): no spans.
    expect(spans.filter(isNav).map((s) => [s.attributes['browser.navigation.type'], s.attributes['browser.navigation.from'], s.attributes['browser.navigation.to']])).toEqual([
      ['push', `${o}/r/home`, `${o}/r/a`],
      ['push', `${o}/r/a`, `${o}/r/b`],
      ['push', `${o}/r/b`, `${o}/r/c`],
      ['traverse', `${o}/r/c`, `${o}/r/b`],
    ]);
    const nav = (type: string, to: string) => one(spans, (s) => isNav(s) && s.attributes['browser.navigation.type'] === type && s.attributes['browser.navigation.to'] === `${o}${to}`);
    for (const id of ['a', 'c']) {
      const click = one(spans, (s) => s.name === `click a#${id}`);
      expect(nav('push', `/r/${id}`).parentSpanId).toBe(click.spanId);
      expect([fetchFrom(spans, `${id}-1`).parentSpanId, fetchFrom(spans, `${id}-2`).parentSpanId]).toEqual([click.spanId, click.spanId]);
    }
    const back = nav('traverse', '/r/b');
    expect(back.parentSpanId).toBe('');
    const backLoads = spans.filter((s) => /from=b-[12]$/.test(String(s.attributes['url.full']))).slice(-2);
    expect(backLoads.map((s) => s.parentSpanId)).toEqual([back.spanId, back.spanId]);
  });
