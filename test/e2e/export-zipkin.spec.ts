// The Zipkin exporter against a receiver that answers as zipkin-server does: any content type is
// read as JSON v2 (ZipkinHttpCollector), 202 with no body, and CORS from its default
// `zipkin.query.allowed-origins: *` (Armeria: `Access-Control-Allow-Origin: *`, never credentials).
import { test, expect } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { app, buildBundle, servePage, useExportServers } from './export-support';

useExportServers();

interface Zipkin {
  origin: string;
  bodies: Array<{ contentType: string; spans: Array<Record<string, unknown>> }>;
  scripted: Array<{ status: number; headers?: Record<string, string> }>;
  server: Server;
}

async function startZipkin(): Promise<Zipkin> {
  const z: Zipkin = { origin: '', bodies: [], scripted: [], server: createServer() };
  z.server.on('request', (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET,POST', 'Access-Control-Allow-Headers': 'content-type' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const next = z.scripted.shift();
      if (next && next.status !== 202) return void res.writeHead(next.status, next.headers).end();
      let spans;
      try {
        spans = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return void res.writeHead(400).end('Could not decode spans');
      }
      z.bodies.push({ contentType: String(req.headers['content-type'] ?? ''), spans });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((ok) => z.server.listen(0, '127.0.0.1', ok));
  z.origin = `http://127.0.0.1:${(z.server.address() as AddressInfo).port}`;
  return z;
}

const PAGE = (endpoint: string) => `<!doctype html><script type="module">
  import * as S from '/export-bundle.js';
  S.configureTracing({ serviceName: 'Shop-Web', session: false });
  const exporter = S.createZipkinExporter({ endpoint: ${JSON.stringify(endpoint)}, outbox: 'memory', maxDelayMs: 60000, retryInitialMs: 100, retryMaxMs: 300 });
  S.getTracerProvider().addSpanProcessor(exporter);
  const tracer = S.getTracer('zipkin-test');
  window.endSpans = (tag, n) => { for (let i = 0; i < n; i++) tracer.startSpan(tag + '-' + i, { attributes: { i } }).end(); };
  window.exporter = exporter;
  window.ready = true;
</script>`;

let zipkin: Zipkin;
test.beforeEach(async () => {
  await buildBundle();
  zipkin = await startZipkin();
});
test.afterEach(() => new Promise<void>((ok) => (zipkin.server.closeAllConnections(), zipkin.server.close(() => ok()))));

async function open(page: import('@playwright/test').Page) {
  await servePage(app);
  app.page('/zipkin.html', PAGE(`${zipkin.origin}/api/v2/spans`));
  await page.goto(`${app.origin}/zipkin.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
}
const endSpans = (page: import('@playwright/test').Page, tag: string, n: number) =>
  page.evaluate(([t, k]) => (window as unknown as { endSpans(t: string, n: number): void }).endSpans(t, k), [tag, n] as const);
const stats = (page: import('@playwright/test').Page) =>
  page.evaluate(() => (window as unknown as { exporter: { stats(): Record<string, unknown> } }).exporter.stats());
const got = () => zipkin.bodies.flatMap((b) => b.spans.map((s) => s.name as string)).sort();

test('spans flushed at page hide reach a cross-origin zipkin-server (no credentialed CORS there)', async ({ page, context }) => {
  await open(page);
  await endSpans(page, 'hide', 3);
  // The tab is closed: only what the page hands the browser at pagehide arrives.
  const other = await context.newPage();
  await page.close({ runBeforeUnload: true });
  await expect.poll(got, { timeout: 5000 }).toEqual(['hide-0', 'hide-1', 'hide-2']);
  await other.close();
});

test('stats() match what zipkin-server got: success, 503 + Retry-After, final 400', async ({ page }) => {
  await open(page);
  await endSpans(page, 'ok', 2);
  await page.evaluate(() => (window as unknown as { exporter: { flush(): Promise<void> } }).exporter.flush());
  await expect.poll(got).toEqual(['ok-0', 'ok-1']);
  expect(await stats(page)).toMatchObject({ ended: 2, sent: 2, queued: 0, retries: 0, beacons: 0, dropped: {} });

  zipkin.scripted.push({ status: 503, headers: { 'retry-after': '0' } });
  await endSpans(page, 'retry', 1);
  await page.evaluate(() => (window as unknown as { exporter: { flush(): Promise<void> } }).exporter.flush());
  await expect.poll(got, { timeout: 5000 }).toEqual(['ok-0', 'ok-1', 'retry-0']);
  await expect.poll(() => stats(page)).toMatchObject({ ended: 3, sent: 3, queued: 0, retries: 1 });

  zipkin.scripted.push({ status: 400 });
  await endSpans(page, 'bad', 2);
  await page.evaluate(() => (window as unknown as { exporter: { flush(): Promise<void> } }).exporter.flush());
  await expect.poll(() => stats(page)).toMatchObject({ ended: 5, sent: 3, queued: 0, retries: 1, dropped: { http_400: 2 } });
  expect(got()).toEqual(['ok-0', 'ok-1', 'retry-0']);
});

test('a page hide beacons what is pending, counted in stats() as what zipkin-server got', async ({ page }) => {
  await open(page);
  await endSpans(page, 'hid', 3);
  // The tab hidden, not closed: the page lives on and reads its stats.
  await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide')));
  await expect.poll(got, { timeout: 5000 }).toEqual(['hid-0', 'hid-1', 'hid-2']);
  expect(await stats(page)).toMatchObject({ ended: 3, sent: 3, queued: 0, beacons: 1, retries: 0, dropped: {} });
  // What Zipkin's v2 API takes: lowercase hex ids, integer µs, string tags.
  for (const s of zipkin.bodies[0].spans) {
    expect(String(s.traceId)).toMatch(/^[0-9a-f]{32}$/);
    expect(String(s.id)).toMatch(/^[0-9a-f]{16}$/);
    expect(Number.isSafeInteger(s.timestamp) && Number.isSafeInteger(s.duration) && (s.duration as number) >= 1).toBe(true);
    expect(Object.values(s.tags as object).every((v) => typeof v === 'string')).toBe(true);
    expect(s.localEndpoint).toEqual({ serviceName: 'Shop-Web' });
  }
});

test('downloadChromeTrace() in a page under a strict CSP downloads the named JSON file', async ({ page }) => {
  await servePage(app);
  app.page(
    '/csp.html',
    `<!doctype html><script type="module" nonce="n1">
  import * as S from '/export-bundle.js';
  S.configureTracing({ serviceName: 'csp-app', session: false });
  const exporter = S.createZipkinExporter({ endpoint: '/api/v2/spans', outbox: 'memory' });
  S.getTracerProvider().addSpanProcessor(exporter);
  const t = S.getTracer('csp');
  const root = t.startSpan('root');
  root.end();
  window.S = S;
  window.ready = true;
</script>`,
    { 'content-security-policy': "default-src 'self'; script-src 'nonce-n1' 'strict-dynamic'; require-trusted-types-for 'script'; trusted-types 'none'" },
  );
  const errors: string[] = [];
  // CSP and Trusted Types violations (not the favicon's 404).
  page.on('console', (m) => /Content Security Policy|Trusted Type/i.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${app.origin}/csp.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  for (const [args, file] of [[[], 'spanbeam-trace.json'], [[undefined, 'checkout.json'], 'checkout.json']] as const) {
    const download = page.waitForEvent('download');
    await page.evaluate((a) => (window as unknown as { S: { downloadChromeTrace(...a: unknown[]): void } }).S.downloadChromeTrace(...a), args as unknown as unknown[]);
    const d = await download;
    expect(d.suggestedFilename()).toBe(file);
    const trace = JSON.parse(await (await import('node:fs/promises')).readFile((await d.path())!, 'utf8'));
    expect(trace.traceEvents.find((e: { ph: string }) => e.ph === 'X')).toMatchObject({ name: 'root', cat: 'csp', pid: 1, tid: 1 });
    expect(trace.traceEvents).toContainEqual({ name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'csp-app' } });
  }
  expect(errors).toEqual([]);
});

test('a same-origin Zipkin endpoint still gets its page-hide beacon as application/json (Jaeger v1 takes no other type)', async ({ page }) => {
  await servePage(app);
  app.page('/zipkin.html', PAGE('/api/v2/spans'));
  await page.goto(`${app.origin}/zipkin.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  await endSpans(page, 'same', 2);
  await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide')));
  const [r] = await app.waitForReceived(1, 5000);
  expect(r.path).toBe('/api/v2/spans');
  expect(r.contentType).toBe('application/json');
  expect((r.json as Array<{ name: string }>).map((s) => s.name).sort()).toEqual(['same-0', 'same-1']);
  expect(await stats(page)).toMatchObject({ sent: 2, beacons: 1 });
});
