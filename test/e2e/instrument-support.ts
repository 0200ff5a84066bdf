// Shared pieces of the instrumentation browser tests: the script-tag bundles (src/script.ts and
// src/script-zone.ts, i.e. what `<script src=spanbeam(-zone).iife.js>` users get) built in memory
// once per worker, a test page, and OTLP JSON decoding of what the collector received.
import { build, type Rollup } from 'vite';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { startServer, type TestServer } from '../support/server';
import { scriptTagBuild } from '../../scripts/script-tag.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
let built: Promise<Record<string, string>> | undefined;

async function iife(entry: string): Promise<string> {
  const r = await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    define: { __SPANBEAM_DEV__: 'true' },
    build: {
      write: false,
      target: 'es2022',
      minify: false,
      ...scriptTagBuild(resolve(ROOT, entry)),
    },
  });
  const out = (Array.isArray(r) ? r[0] : r) as Rollup.RollupOutput;
  return (out.output[0] as Rollup.OutputChunk).code;
}

export function bundles(): Promise<Record<string, string>> {
  built ??= (async () => ({
    '/sb.js': await iife('src/script.ts'),
    '/sb-zone.js': await iife('src/script-zone.ts'),
  }))();
  return built;
}

let esm: Promise<string> | undefined;

/**
 * The SDK as an ES module (what npm/bundler users get), built on first use. Unlike the IIFEs it is
 * strict code, so a patched function called without a receiver sees `this === undefined`.
 */
export function esmBundle(): Promise<string> {
  esm ??= (async () => {
    const r = await build({
      configFile: false,
      logLevel: 'warn',
      root: ROOT,
      define: { __SPANBEAM_DEV__: 'true' },
      build: { write: false, target: 'es2022', minify: false, lib: { entry: resolve(ROOT, 'src/index.ts'), formats: ['es'], fileName: () => 'x.js' } },
    });
    const out = (Array.isArray(r) ? r[0] : r) as Rollup.RollupOutput;
    return (out.output[0] as Rollup.OutputChunk).code;
  })();
  return esm;
}

/** A server with the bundles at /sb.js, /sb-zone.js, the app page at /app.html and test routes. */
export async function appServer(): Promise<TestServer> {
  const server = await startServer();
  for (const [path, js] of Object.entries(await bundles()))
    server.route(path, (_q, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end(js));
  server.page('/app.html', await appHtml());
  server.route('/api/data', (req, res) =>
    void res.writeHead(200, { 'content-type': 'application/json', 'timing-allow-origin': '*' }).end(JSON.stringify({ ok: true, method: req.method })),
  );
  server.route('/api/404', (_q, res) => void res.writeHead(404).end('nope'));
  server.route('/api/slow', (_q, res) => void setTimeout(() => res.writeHead(200).end('late'), 2000));
  // `chunk0\n` … every 30 ms; ?n= chunks (default 5).
  server.route('/api/stream', (q, res) => {
    const n = Number(new URL(q.url ?? '', 'http://x').searchParams.get('n') ?? 5);
    res.writeHead(200, { 'content-type': 'text/plain' });
    let i = 0;
    const t = setInterval(() => {
      res.write(`chunk${i}\n`);
      if (++i === n) {
        clearInterval(t);
        res.end();
      }
    }, 30);
  });
  return server;
}

export function appHtml(): Promise<string> {
  return readFile(resolve(ROOT, 'test/pages/instrument-app.html'), 'utf8');
}

/** Opens /app.html with `start()` options (JSON in the query) and waits for `window.handle`. */
export async function openApp(page: Page, server: TestServer, options: object = {}, path = '/app.html', bundle = '/sb-zone.js'): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const q = new URLSearchParams({ o: JSON.stringify(options), b: bundle });
  await page.goto(`${server.origin}${path}?${q}`);
  await page.waitForFunction(() => 'handle' in window);
  return errors;
}

export interface RSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  start: number;
  end: number;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Record<string, unknown>; time: number }>;
  status: { code?: number; message?: string };
}

type KV = { key: string; value: Record<string, unknown> };
const val = (v: Record<string, unknown>): unknown => {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(val);
  return undefined;
};
const attrs = (list: KV[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, val(a.value)]));

/** Every span the collector received, decoded from OTLP JSON. */
export function received(server: TestServer): RSpan[] {
  const out: RSpan[] = [];
  for (const r of server.received) {
    if (r.path !== '/v1/traces') continue;
    const body = r.json as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    for (const rs of body.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans)
          out.push({
            name: s.name as string,
            kind: s.kind as number,
            traceId: s.traceId as string,
            spanId: s.spanId as string,
            parentSpanId: (s.parentSpanId as string) ?? '',
            start: Number(BigInt(s.startTimeUnixNano as string) / 1000n) / 1000,
            end: Number(BigInt(s.endTimeUnixNano as string) / 1000n) / 1000,
            attributes: attrs(s.attributes as KV[]),
            events: ((s.events as Array<{ name: string; attributes?: KV[]; timeUnixNano: string }>) ?? []).map((e) => ({
              name: e.name,
              attributes: attrs(e.attributes),
              time: Number(BigInt(e.timeUnixNano) / 1000n) / 1000,
            })),
            status: (s.status as RSpan['status']) ?? {},
          });
  }
  return out;
}

/** Flushes the page's exporter until the collector has spans satisfying `ok` (or fails after 8 s). */
export async function waitForSpans(page: Page, server: TestServer, ok: (spans: RSpan[]) => boolean, timeoutMs = 8000): Promise<RSpan[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush()).catch(() => undefined);
    const spans = received(server);
    if (ok(spans)) return spans;
    if (Date.now() > until) {
      expect(spans.map((s) => `${s.name} ${JSON.stringify(s.attributes)}`), 'spans received so far').toEqual(['(condition not met)']);
    }
    await new Promise((r) => setTimeout(r, 60));
  }
}

export const byName = (spans: RSpan[], name: string) => spans.filter((s) => s.name === name);
export const one = (spans: RSpan[], pred: (s: RSpan) => boolean): RSpan => {
  const found = spans.filter(pred);
  expect(found.length, `matching spans in ${spans.map((s) => s.name).join(', ')}`).toBe(1);
  return found[0];
};
