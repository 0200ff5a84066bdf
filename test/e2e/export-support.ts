// Shared pieces of the export browser tests: a test bundle of src/sdk + src/export built with
// Vite's API (once per worker), routes that serve it, a TCP gate that makes a collector refuse
// connections, and span counting over what the collector received.
import { build } from 'vite';
import { readFile, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { startServer, type ReceivedRequest, type TestServer } from '../support/server';
import { checkOtlpJson } from '../unit/export/otlp-proto';

const ROOT = resolve(import.meta.dirname, '../..');
let built: Promise<string> | undefined;

/** The export page's server and a collector it sends to cross-origin, fresh per test (live bindings). */
export let app: TestServer;
export let collector: TestServer;
export const endpoint = (): string => `${collector.origin}/v1/traces`;

/** Hooks for a spec file: the bundle built once, `app` and `collector` started and stopped around each test. */
export function useExportServers(): void {
  test.beforeAll(() => buildBundle());
  test.beforeEach(async () => {
    app = await startServer();
    await servePage(app);
    collector = await startServer({ corsOrigins: [app.origin] });
  });
  test.afterEach(async () => {
    await app.close();
    await collector.close();
  });
}

/** Builds test/pages/export-entry.ts (ESM, idb bundled) via test/.build/export/<pid>/, kept in memory. */
export function buildBundle(): Promise<string> {
  built ??= (async () => {
    const outDir = resolve(ROOT, `test/.build/export/${process.pid}`);
    await build({
      configFile: false,
      logLevel: 'warn',
      root: ROOT,
      define: { __SPANBEAM_DEV__: 'true' },
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        minify: false,
        lib: { entry: resolve(ROOT, 'test/pages/export-entry.ts'), formats: ['es'], fileName: () => 'export.js' },
      },
    });
    const js = await readFile(resolve(outDir, 'export.js'), 'utf8');
    await rm(outDir, { recursive: true, force: true });
    return js;
  })();
  return built;
}

/** Serves the bundle at /export-bundle.js and the test page at /export.html. */
export async function servePage(server: TestServer): Promise<void> {
  const js = await buildBundle();
  const html = await readFile(resolve(ROOT, 'test/pages/export-basic.html'), 'utf8');
  server.route('/export-bundle.js', (_req, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end(js));
  server.page('/export.html', html);
}

export function pageUrl(server: TestServer, params: Record<string, string | number>): string {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return `${server.origin}/export.html?${q}`;
}

export async function openPage(page: Page, url: string): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return errors;
}

export const endSpans = (page: Page, tag: string, n: number, pad = 0) =>
  page.evaluate(
    ([t, k, p]) => (window as unknown as { endSpans(t: string, n: number, pad: number): void }).endSpans(t, k, p),
    [tag, n, pad] as const,
  );

export const stats = (page: Page) =>
  page.evaluate(() => (window as unknown as { exporter: { stats(): Record<string, unknown> } }).exporter.stats()) as Promise<{
    ended: number;
    sent: number;
    queued: number;
    retries: number;
    beacons: number;
    rejected: number;
    dropped: Record<string, number>;
  }>;

type Body = { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: Record<string, string> }> }; scopeSpans: Array<{ spans: Array<{ name: string }> }> }> };

/** Span names in everything received, after checking every body against the OTLP schema. */
export function receivedNames(received: ReceivedRequest[]): string[] {
  return received.flatMap((r) => {
    expect(r.contentType).toMatch(/^application\/json/);
    expect(checkOtlpJson(r.json)).toEqual([]);
    return (r.json as Body).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));
  });
}

export function resourceAttr(r: ReceivedRequest, key: string): Record<string, string> | undefined {
  return (r.json as Body).resourceSpans[0].resource.attributes.find((a) => a.key === key)?.value;
}

export const names = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

/** Waits until exactly the expected span names arrived (each once), and a little longer to catch duplicates. */
export async function expectDelivered(server: TestServer, expected: string[], settleMs = 500): Promise<void> {
  await expect.poll(() => receivedNames(server.received).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(expected.length);
  await new Promise((r) => setTimeout(r, settleMs));
  expect(receivedNames(server.received).sort()).toEqual([...expected].sort());
}

/** A TCP front for a server: closed = connection refused (collector down), open = forwarding. */
export interface Gate {
  port: number;
  open(): Promise<void>;
  close(): Promise<void>;
}

export async function startGate(targetPort: number): Promise<Gate> {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const gate: Gate = {
    get port() {
      return port;
    },
    open: () =>
      new Promise<void>((ok) => {
        server = createServer((c) => {
          const up = connect(targetPort, '127.0.0.1');
          for (const s of [c, up]) {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
            s.on('error', () => s.destroy());
          }
          c.pipe(up).pipe(c);
        });
        server.listen(port, '127.0.0.1', () => {
          port = (server!.address() as { port: number }).port;
          ok();
        });
      }),
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        if (server) server.close(() => ok());
        else ok();
        server = undefined;
      }),
  };
  await gate.open();
  return gate;
}
