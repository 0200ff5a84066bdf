// A test HTTP server on 127.0.0.1 that serves the repo's built files and inline pages and
// records what an OTLP collector would receive. Each test starts its own and closes it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVED_DIRS = ['dist/', 'test/pages/', 'test/fixtures/', 'test/.build/', 'node_modules/', 'bench/pages/'];
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css',
  '.map': 'application/json',
  '.gz': 'application/gzip',
  '.png': 'image/png',
};

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  contentType: string;
  /** Raw body after Content-Encoding is undone. */
  raw: Buffer;
  /** Parsed JSON body, or undefined when it is not JSON. */
  json: unknown;
  at: number;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Drop the connection instead of answering. */
  destroy?: boolean;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export interface TestServer {
  origin: string;
  port: number;
  /** Everything POSTed to a collector path (`/v1/traces`, `/api/v2/spans`), in arrival order. */
  received: ReceivedRequest[];
  /** Requests of any kind, for asserting headers sent (e.g. traceparent) to app routes. */
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }>;
  /** Answers for the next collector POSTs; when empty the collector answers 200 {"partialSuccess":{}}. */
  scripted: ScriptedResponse[];
  /** Origins allowed to call cross-origin (exact match, credentials allowed, as the Collector does). */
  corsOrigins: string[];
  page(path: string, html: string, headers?: Record<string, string>): void;
  route(path: string, handler: Handler): void;
  /** Resolves when `n` collector requests have arrived (or rejects after timeoutMs). */
  waitForReceived(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

function decode(req: IncomingMessage, raw: Buffer): Buffer {
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

function collectBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

export async function startServer(opts: { corsOrigins?: string[] } = {}): Promise<TestServer> {
  const pages = new Map<string, { html: string; headers: Record<string, string> }>();
  const routes = new Map<string, Handler>();
  const waiters: Array<() => void> = [];
  const state: TestServer = {
    origin: '',
    port: 0,
    received: [],
    requests: [],
    scripted: [],
    corsOrigins: opts.corsOrigins ?? [],
    page(path, html, headers = {}) {
      pages.set(path, { html, headers });
    },
    route(path, handler) {
      routes.set(path, handler);
    },
    waitForReceived(n, timeoutMs = 10_000) {
      return new Promise((ok, fail) => {
        const check = () => {
          if (state.received.length >= n) {
            clearTimeout(timer);
            ok(state.received);
            return true;
          }
          return false;
        };
        const timer = setTimeout(
          () => fail(new Error(`expected ${n} collector requests, got ${state.received.length}`)),
          timeoutMs,
        );
        if (!check()) waiters.push(() => void check());
      });
    },
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };

  const cors = (req: IncomingMessage, res: ServerResponse): void => {
    const origin = req.headers.origin;
    if (origin && state.corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', state.origin);
    const path = url.pathname;
    state.requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    try {
      if (req.method === 'OPTIONS') {
        cors(req, res);
        const origin = req.headers.origin;
        if (origin && state.corsOrigins.includes(origin)) {
          res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
          const asked = req.headers['access-control-request-headers'];
          if (asked) res.setHeader('Access-Control-Allow-Headers', asked);
          res.setHeader('Access-Control-Max-Age', '600');
        }
        res.writeHead(204).end();
        return;
      }
      const route = routes.get(path);
      if (route) {
        cors(req, res);
        await route(req, res, await collectBody(req));
        return;
      }
      if (req.method === 'POST' && (path === '/v1/traces' || path === '/api/v2/spans')) {
        cors(req, res);
        const raw = decode(req, await collectBody(req));
        const contentType = String(req.headers['content-type'] ?? '');
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          json = undefined;
        }
        const next = state.scripted.shift();
        if (next?.destroy) {
          req.socket.destroy();
          return;
        }
        if (!next && path === '/v1/traces' && !contentType.startsWith('application/json') && !contentType.startsWith('application/x-protobuf')) {
          res.writeHead(415, { 'content-type': 'text/plain' }).end('unsupported media type');
          return;
        }
        if (!next || (next.status >= 200 && next.status < 300)) {
          state.received.push({ method: 'POST', path, headers: req.headers, contentType, raw, json, at: Date.now() });
          for (const w of waiters.splice(0)) w();
        }
        const status = next?.status ?? 200;
        res.writeHead(status, { 'content-type': 'application/json', ...(next?.headers ?? {}) });
        res.end(next?.body ?? (path === '/v1/traces' ? '{"partialSuccess":{}}' : ''));
        return;
      }
      const page = pages.get(path);
      if (page) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...page.headers }).end(page.html);
        return;
      }
      const rel = normalize(path.slice(1));
      if (!SERVED_DIRS.some((d) => rel.startsWith(d)) || rel.includes('..')) {
        res.writeHead(404).end('not found');
        return;
      }
      const data = await readFile(join(ROOT, rel));
      cors(req, res);
      res.writeHead(200, { 'content-type': MIME[extname(rel)] ?? 'application/octet-stream' }).end(data);
    } catch (err) {
      if (!res.headersSent) res.writeHead((err as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500);
      res.end(String(err));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  state.port = (server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${state.port}`;
  return state;
}
