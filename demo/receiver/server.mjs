// The demo's local OTLP/HTTP receiver: accepts POST /v1/traces as the Collector does (JSON or
// protobuf, gzip/deflate, exact-origin CORS with credentials), keeps every request in an NDJSON
// file that survives restarts, and serves the traces to the viewer page: GET /api/traces,
// GET /api/traces/:id, GET /api/services and a Server-Sent Events stream at GET /api/stream.
//
// For development and single machines. At production scale run an OpenTelemetry Collector
// (docs/collector.md) in front of Jaeger or Tempo.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { demoConfig, withLocalhostAliases } from '../config.mjs';
import { HttpError, announce, cors, listen, readBody, sendJson, stopOn } from '../lib/http.mjs';
import { JSON_TYPE, PROTOBUF_TYPE, decodeTraceRequest, mediaType } from './decode.mjs';
import { TraceStore } from './store.mjs';

const NAME = 'receiver';
const config = demoConfig();
const store = new TraceStore({ file: join(config.dataDir, 'traces.ndjson') });
await store.open();
if (store.skippedLines) console.warn(`[${NAME}] skipped ${store.skippedLines} unreadable line(s) in ${store.file}`);

// The pages that export here (the shop, the script-tag page, RECEIVER_ALLOWED_ORIGINS) and the
// viewer that reads. Only the demo's own pages may read traces back (API_CORS).
const OTLP_CORS = {
  origins: withLocalhostAliases([config.origins.app, config.origins.viewer, ...config.allowedOrigins]),
  allowHeaders: ['accept', 'content-type', 'content-encoding', 'x-requested-with'],
};
/** Origins already told how to get in: the browser's CORS error cannot say it. */
const refused = new Set();
/** @param {unknown} origin */
function hintRefused(origin) {
  if (typeof origin !== 'string' || OTLP_CORS.origins.includes(origin) || refused.has(origin)) return;
  refused.add(origin);
  const fix = origin === 'null' ? 'serve it over http (a file:// page has origin null) and restart with RECEIVER_ALLOWED_ORIGINS=<its origin>' : `restart with RECEIVER_ALLOWED_ORIGINS=${origin}`;
  console.warn(`[${NAME}] a page at ${origin} sends spans, but browsers block it (CORS: not an allowed origin): ${fix}`);
}
const API_CORS = { origins: withLocalhostAliases([config.origins.viewer, config.origins.app]), allowHeaders: ['accept', 'last-event-id'] };

/** @type {Set<import('node:http').ServerResponse>} */
const streams = new Set();

/** @param {string} event @param {unknown} data */
function broadcast(event, data) {
  const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  for (const res of streams) res.write(frame);
}

/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
async function receive(req, res) {
  const wantsJson = mediaType(req.headers['content-type']) !== PROTOBUF_TYPE;
  try {
    const body = await readBody(req);
    const { format, request } = decodeTraceRequest({
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
      body,
    });
    const touched = await store.add(request);
    for (const id of touched) broadcast('trace', store.summary(id));
    // An empty ExportTraceServiceResponse: `{"partialSuccess":{}}` in JSON, zero bytes in protobuf.
    if (format === 'protobuf') res.writeHead(200, { 'content-type': PROTOBUF_TYPE }).end();
    else sendJson(res, 200, { partialSuccess: {} });
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    const message = err instanceof Error ? err.message : String(err);
    if (status === 500) console.error(`[${NAME}]`, err);
    if (status === 415 || !wantsJson) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
    else sendJson(res, status, { code: status === 400 ? 3 : 13, message }); // google.rpc.Status
  }
}

/** @param {import('node:http').ServerResponse} res */
function openStream(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  streams.add(res);
  res.on('close', () => streams.delete(res));
}

/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
async function route(req, res) {
  const url = new URL(req.url ?? '/', 'http://receiver');
  const path = url.pathname;
  if (path === '/v1/traces') {
    hintRefused(req.headers.origin);
    if (cors(req, res, OTLP_CORS)) return;
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end(`405 method not allowed, supported: [POST]`);
      return;
    }
    await receive(req, res);
    return;
  }
  if (path.startsWith('/api/')) {
    if (cors(req, res, API_CORS)) return;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/api/traces') {
      const limit = Number(url.searchParams.get('limit') ?? 200);
      sendJson(res, 200, {
        traces: store.list({
          service: url.searchParams.get('service') || undefined,
          errors: url.searchParams.get('errors') === '1',
          limit: Number.isFinite(limit) && limit > 0 ? limit : 200,
        }),
      });
      return;
    }
    const one = /^\/api\/traces\/([0-9a-fA-F]{32})$/.exec(path);
    if (one) {
      const trace = store.get(one[1].toLowerCase());
      if (!trace) sendJson(res, 404, { error: `no trace ${one[1]}` });
      else sendJson(res, 200, trace, { 'content-disposition': `inline; filename="trace-${one[1].toLowerCase()}.otlp.json"` });
      return;
    }
    if (path === '/api/services') {
      sendJson(res, 200, { services: store.services() });
      return;
    }
    if (path === '/api/stream') {
      openStream(res);
      return;
    }
    sendJson(res, 404, { error: 'not found' });
    return;
  }
  if (path === '/' && req.method === 'GET') {
    sendJson(res, 200, {
      service: 'spanbeam demo OTLP/HTTP receiver',
      otlp: `POST ${config.origins.receiver}/v1/traces (${JSON_TYPE} or ${PROTOBUF_TYPE})`,
      viewer: config.origins.viewer,
      file: store.file,
      traces: store.traces.size,
    });
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
}

// One request's unexpected error is its own 500, never the end of the receiver.
const server = createServer((req, res) => {
  route(req, res).catch((err) => {
    console.error(`[${NAME}]`, err);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('internal error');
  });
});

// Keeps proxies and browsers from closing an idle event stream.
const ping = setInterval(() => {
  for (const res of streams) res.write(': ping\n\n');
}, 15_000);
ping.unref();

await listen(server, config.ports.receiver, config.host, NAME, 'RECEIVER_PORT');
announce(NAME, config.origins.receiver);
stopOn(NAME, async () => {
  for (const res of streams) res.end();
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  await store.writing;
});
