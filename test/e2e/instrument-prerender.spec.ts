// A real Speculation Rules prerender. Chromium does not prerender while a DevTools client is attached
// the way Playwright attaches (Preload.prerenderStatusUpdated: PrerenderingDisabledByDevTools), so this
// test starts headless Chromium itself, without DevTools, and the pages report what they saw.
import { test, expect, chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/browser.mjs';
import type { TestServer } from '../support/server';
import { appServer, byName, one, received } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

interface Report {
  k: string;
  pre: boolean;
  origin: number;
  act: number;
}

test('prerendered page: documentLoad is built after activation, web vitals start at activation', async () => {
  const reports: Report[] = [];
  server.route('/report', (_q, res, body) => void (reports.push(JSON.parse(String(body)) as Report), res.writeHead(204).end()));
  // The starting page activates the prerender (a link click) once the target has loaded while prerendering.
  server.route('/ready', (_q, res) => {
    const t = setInterval(() => reports.some((r) => r.k === 'load' && r.pre) && (clearInterval(t), res.writeHead(204).end()), 50);
  });
  server.page(
    '/start.html',
    `<!doctype html><script type="speculationrules">{"prerender":[{"source":"list","urls":["/target.html"]}]}</script>
     <a id="go" href="/target.html">go</a><script>fetch('/ready').then(() => document.getElementById('go').click());</script>`,
  );
  server.page(
    '/target.html',
    `<!doctype html><script>
       const rep = (k) => fetch('/report', { method: 'POST', keepalive: true, body: JSON.stringify({ k, pre: document.prerendering, origin: performance.timeOrigin, act: performance.getEntriesByType('navigation')[0].activationStart }) });
       rep('script');
       addEventListener('load', () => rep('load'));
       // Shown for a while, then left: the final LCP is reported on hide.
       document.addEventListener('prerenderingchange', () => (rep('activated'), setTimeout(() => (location.href = '/api/data'), 800)));
     </script>
     <script src="/sb.js"></script><script>Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>
     <h1 style="font-size:48px">prerendered</h1>`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'spanbeam-prerender-'));
  const browser = spawn(findChromium() || chromium.executablePath(), [...CHROMIUM_ARGS, '--headless', `--user-data-dir=${dir}`, `${server.origin}/start.html`], { stdio: 'ignore' });
  try {
    await expect.poll(() => byName(received(server), 'LCP').length, { timeout: 20_000 }).toBe(1);
  } finally {
    browser.kill();
    await new Promise((r) => browser.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }

  // Really prerendered, then activated.
  expect(server.requests.find((r) => r.path === '/target.html')?.headers['sec-purpose']).toBe('prefetch;prerender');
  expect(reports.find((r) => r.k === 'script')?.pre).toBe(true);
  const activated = reports.find((r) => r.k === 'activated')!;
  expect(activated).toMatchObject({ pre: false });
  expect(activated.act).toBeGreaterThan(0);
  const activation = activated.origin + activated.act;

  const spans = received(server);
  const doc = one(spans, (s) => s.name === 'documentLoad');
  // The page loaded while prerendering; its documentLoad was sent only once the page was shown.
  const carried = server.received.filter((r) => JSON.stringify(r.json).includes('"documentLoad"'));
  expect(carried.map((r) => r.headers['sec-purpose'])).toEqual([undefined]);
  expect(doc.attributes['browser.prerendered']).toBe(true);
  expect(doc.events.map((e) => e.name)).toContain('activationStart');
  expect(Math.abs(doc.start - activated.origin)).toBeLessThan(1); // the document's own navigation start
  for (const n of ['TTFB', 'FCP', 'LCP']) {
    const v = one(spans, (s) => s.name === n);
    expect(v.attributes['browser.web_vital.navigation_type'], n).toBe('prerender');
    expect(v.parentSpanId, n).toBe(doc.spanId);
    expect(Math.abs(v.start - activation), n).toBeLessThan(1);
    expect(v.end - v.start, n).toBeCloseTo(v.attributes['browser.web_vital.value'] as number, 0);
  }
});
