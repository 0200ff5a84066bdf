// Server-side tracing for the demo's node:http services, with Spanbeam's SDK and
// spanbeam/propagation: a SERVER span per request that continues the caller's trace from
// `traceparent`, CLIENT spans for outgoing HTTP calls that propagate it again, and CLIENT spans
// for (simulated) database queries.
import { SpanKind, SpanStatusCode, getTracer } from 'spanbeam';
import { extractContext, formatTraceparent, injectContext } from 'spanbeam/propagation';
import { HttpError, sendJson, sleep } from './http.mjs';

/**
 * @typedef {import('node:http').IncomingMessage} Req
 * @typedef {import('node:http').ServerResponse} Res
 * @typedef {{ req: Req, res: Res, url: URL, params: Record<string, string>, span: import('spanbeam').Span }} Ctx
 * @typedef {{ method: string, route: string, handle: (ctx: Ctx) => Promise<void> | void }} Route
 */

/** `/api/items/:id` → a RegExp with named groups. @param {string} route */
function compile(route) {
  return new RegExp('^' + route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, '(?<$1>[^/]+)') + '$');
}

/**
 * A request handler that routes, and wraps each matched request in a SERVER span named
 * `{METHOD} {route}` whose parent is the caller's `traceparent` (or none: a new trace).
 * Thrown errors become 500s (or the HttpError's status) recorded on the span.
 * @param {{ tracerName: string, routes: Route[], before?: (req: Req, res: Res) => boolean }} o
 * @returns {(req: Req, res: Res) => void}
 */
export function tracedRouter(o) {
  const tracer = getTracer(o.tracerName);
  const table = o.routes.map((r) => ({ ...r, re: compile(r.route) }));
  return (req, res) => {
    if (o.before?.(req, res)) return;
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = req.method ?? 'GET';
    const match = table.find((r) => r.method === method && r.re.test(url.pathname));
    if (!match) {
      sendJson(res, 404, { error: `no route for ${method} ${url.pathname}` });
      return;
    }
    const params = /** @type {Record<string, string>} */ ({ ...match.re.exec(url.pathname)?.groups });
    const parent = extractContext(req.headers);
    tracer.startActiveSpan(
      `${method} ${match.route}`,
      {
        kind: SpanKind.SERVER,
        parent: parent ?? null,
        attributes: {
          'http.request.method': method,
          'http.route': match.route,
          'url.path': url.pathname,
          'url.scheme': 'http',
          'server.address': url.hostname,
          'server.port': Number(url.port) || 80,
          'client.address': req.socket.remoteAddress ?? '',
          'user_agent.original': String(req.headers['user-agent'] ?? ''),
        },
      },
      async (span) => {
        res.once('close', () => {
          span.setAttribute('http.response.status_code', res.statusCode);
          if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.statusCode}` });
          span.end();
        });
        try {
          await match.handle({ req, res, url, params, span });
        } catch (err) {
          const status = err instanceof HttpError ? err.status : 500;
          if (status >= 500) span.recordException(err);
          if (status >= 500) span.setAttribute('error.type', err instanceof Error ? err.name : 'Error');
          if (!res.headersSent) sendJson(res, status, { error: err instanceof Error ? err.message : String(err) });
          else res.end();
        }
      },
    );
  };
}

/** The `traceparent` value of a span, for Server-Timing and `<meta>`. @param {import('spanbeam').Span} span */
export function traceparentOf(span) {
  return formatTraceparent(span.spanContext()) ?? '';
}

/**
 * fetch() as a CLIENT span that carries the trace to the next service.
 * @param {string} url @param {RequestInit & { peerService?: string }} [init]
 * @returns {Promise<any>} the JSON answer; non-2xx answers throw an HttpError (502 for 5xx)
 */
export function tracedFetchJson(url, init = {}) {
  const method = (init.method ?? 'GET').toUpperCase();
  const u = new URL(url);
  return getTracer('demo/http-client').startActiveSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'url.full': u.href,
        'server.address': u.hostname,
        'server.port': Number(u.port) || 80,
        ...(init.peerService ? { 'peer.service': init.peerService } : {}),
      },
    },
    async (span) => {
      /** @type {Record<string, string>} */
      const headers = { accept: 'application/json', ...(/** @type {Record<string, string>} */ (init.headers ?? {})) };
      injectContext(span.spanContext(), headers);
      try {
        const res = await fetch(u, { ...init, method, headers });
        span.setAttribute('http.response.status_code', res.status);
        const body = await res.json().catch(() => ({}));
        if (!res.ok) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.status}` });
          span.setAttribute('error.type', String(res.status));
          throw new HttpError(res.status >= 500 ? 502 : res.status, body?.error ?? `${u.host} answered ${res.status}`);
        }
        return body;
      } catch (err) {
        if (!(err instanceof HttpError)) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          span.setAttribute('error.type', err instanceof Error ? err.name : 'Error');
          throw new HttpError(502, `${u.host} unreachable`);
        }
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * A simulated database query: a CLIENT span with the database semantic conventions that lasts
 * `ms`, then returns `result()`.
 * @template T
 * @param {{ operation: string, collection: string, query: string, ms: number }} q
 * @param {() => T} result
 * @returns {Promise<T>}
 */
export function dbQuery(q, result) {
  return getTracer('demo/db').startActiveSpan(
    `${q.operation} ${q.collection}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'postgresql',
        'db.namespace': 'shop',
        'db.operation.name': q.operation,
        'db.collection.name': q.collection,
        'db.query.text': q.query,
        'server.address': 'db.internal',
        'server.port': 5432,
      },
    },
    async (span) => {
      try {
        await sleep(q.ms);
        return result();
      } finally {
        span.end();
      }
    },
  );
}

/** A JSON request body (empty → {}). @param {Req} req @returns {Promise<any>} */
export async function readJson(req) {
  /** @type {Buffer[]} */
  const chunks = [];
  for await (const c of req) chunks.push(/** @type {Buffer} */ (c));
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not JSON');
  }
}
