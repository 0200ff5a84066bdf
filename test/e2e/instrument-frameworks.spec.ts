// Interaction spans in a real React 19 app (bundled here from the devDependencies), with and
// without zone.js: what a team adding the SDK to its app sees in its traces.
import { expect, test } from '@playwright/test';
import { build, type Rollup } from 'vite';
import { resolve } from 'node:path';
import type { TestServer } from '../support/server';
import { appServer, one, waitForSpans, type RSpan } from './instrument-support';

const ROOT = resolve(import.meta.dirname, '../..');
let app: Promise<string> | undefined;
const reactApp = () =>
  (app ??= build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    define: { 'process.env.NODE_ENV': '"production"' },
    build: { write: false, target: 'es2022', minify: false, lib: { entry: resolve(ROOT, 'test/pages/frameworks/react-traced.js'), formats: ['es'], fileName: () => 'app.js' } },
  }).then((r) => ((Array.isArray(r) ? r[0] : r) as Rollup.RollupOutput).output[0].code));

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
  const js = await reactApp();
  server.route('/react-traced.js', (_q, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end(js));
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
