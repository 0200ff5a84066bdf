// The shop's backend ("shop-api"). Every route continues the browser's trace from `traceparent`
// (spanbeam/propagation), calls the internal inventory service over HTTP (propagating again)
// and runs simulated database queries; its spans go to the OTLP endpoint. It also renders the
// shop's HTML pages with the trace context of their SERVER span in `Server-Timing` and
// `<meta name="traceparent">`, so the browser's page-load trace joins it.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getTracer } from 'spanbeam';
import { ROOT, demoConfig, withLocalhostAliases } from '../config.mjs';
import { HttpError, announce, cors, listen, sendJson, sleep, stopOn } from '../lib/http.mjs';
import { startNodeTracing } from '../lib/node-tracing.mjs';
import { dbQuery, readJson, traceparentOf, tracedFetchJson, tracedRouter } from '../lib/traced-http.mjs';
import { PRODUCTS, productBySku } from './catalog.mjs';

const NAME = 'shop-api';
const config = demoConfig();
const tracing = startNodeTracing({ serviceName: NAME, endpoint: config.endpoint });
const INVENTORY = config.origins.inventory;
const PAGES = new Set(['index.html', 'script-tag.html']);
const APP_ORIGINS = withLocalhostAliases([config.origins.app]);

const CORS = {
  origins: APP_ORIGINS,
  // The trace headers must be allowed, or the browser's preflight fails and the call with it.
  allowHeaders: ['content-type', 'traceparent', 'tracestate', 'baggage'],
  exposeHeaders: ['server-timing'],
};

/** @param {number} lo @param {number} hi */
const sleepBetween = (lo, hi) => sleep(lo + Math.random() * (hi - lo));

/** @param {unknown} items @returns {{ sku: string, qty: number }[]} */
function cartItems(items) {
  if (!Array.isArray(items) || !items.length) throw new HttpError(400, 'items: a non-empty array expected');
  return items.map((it) => {
    const qty = Number(it?.qty);
    if (!productBySku(String(it?.sku)) || !Number.isInteger(qty) || qty < 1 || qty > 20) throw new HttpError(400, `bad cart item ${JSON.stringify(it)}`);
    return { sku: String(it.sku), qty };
  });
}

const handler = tracedRouter({
  tracerName: 'demo/shop-api',
  before(req, res) {
    // Resource Timing (and the fetch span's network phases) for the shop's cross-origin calls.
    if (typeof req.headers.origin === 'string' && APP_ORIGINS.includes(req.headers.origin)) res.setHeader('timing-allow-origin', req.headers.origin);
    return cors(req, res, CORS);
  },
  routes: [
    {
      method: 'GET',
      route: '/pages/:page',
      async handle({ res, params, span }) {
        if (!PAGES.has(params.page)) throw new HttpError(404, `no page ${params.page}`);
        const template = await readFile(join(ROOT, 'demo/app', params.page), 'utf8');
        const traceparent = traceparentOf(span);
        const html = template.replace('<!--spanbeam:traceparent-->', `<meta name="traceparent" content="${traceparent}">`);
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'server-timing': `traceparent;desc="${traceparent}"`,
        });
        res.end(html);
      },
    },
    {
      method: 'GET',
      route: '/api/products',
      async handle({ res }) {
        const rows = await dbQuery(
          { operation: 'SELECT', collection: 'products', query: 'SELECT sku, name, price_cents FROM products ORDER BY name', ms: 12 },
          () => PRODUCTS,
        );
        const { stock } = await tracedFetchJson(`${INVENTORY}/stock?skus=${rows.map((p) => p.sku).join(',')}`, { peerService: 'inventory' });
        const units = new Map(stock.map((/** @type {any} */ s) => [s.sku, s.units]));
        sendJson(res, 200, { products: rows.map((p) => ({ ...p, inStock: units.get(p.sku) ?? 0 })) });
      },
    },
    {
      method: 'POST',
      route: '/api/cart',
      async handle({ req, res, span }) {
        const body = await readJson(req);
        const [item] = cartItems([body]);
        span.setAttribute('cart.sku', item.sku);
        const { stock } = await tracedFetchJson(`${INVENTORY}/stock?skus=${item.sku}`, { peerService: 'inventory' });
        const units = stock[0]?.units ?? 0;
        if (units < item.qty) throw new HttpError(409, `only ${units} left of ${item.sku}`);
        const product = productBySku(item.sku);
        sendJson(res, 200, { sku: item.sku, qty: item.qty, priceCents: product?.priceCents ?? 0, inStock: units });
      },
    },
    {
      method: 'POST',
      route: '/api/checkout',
      async handle({ req, res, span }) {
        const { items: raw } = await readJson(req);
        const items = cartItems(raw);
        const totalCents = items.reduce((sum, it) => sum + (productBySku(it.sku)?.priceCents ?? 0) * it.qty, 0);
        span.setAttributes({ 'order.items': items.length, 'order.total_cents': totalCents });
        await tracedFetchJson(`${INVENTORY}/reserve`, {
          method: 'POST',
          peerService: 'inventory',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ items }),
        });
        // The deliberately slow step: what the viewer's waterfall and insights should point at.
        await getTracer('demo/payments').startActiveSpan('payment.authorize', { attributes: { 'payment.provider': 'demo-pay' } }, async (pay) => {
          await sleepBetween(config.slowMs, config.slowMs * 1.25);
          pay.end();
        });
        const orderId = `ord_${Date.now().toString(36)}`;
        await dbQuery(
          { operation: 'INSERT', collection: 'orders', query: 'INSERT INTO orders (id, items, total_cents) VALUES ($1, $2, $3)', ms: 18 },
          () => orderId,
        );
        sendJson(res, 200, { orderId, totalCents });
      },
    },
    {
      method: 'GET',
      route: '/api/recommendations',
      async handle({ res, url }) {
        // Fails now and then (DEMO_FAILURE_RATE; `?fail=1` / `?fail=0` force it), to show errors.
        const forced = url.searchParams.get('fail');
        const fail = forced === '1' || (forced !== '0' && Math.random() < config.failureRate);
        await sleepBetween(20, 60);
        if (fail) throw new HttpError(503, 'recommendation model timed out');
        const picks = [...PRODUCTS].sort(() => Math.random() - 0.5).slice(0, 2);
        sendJson(res, 200, { products: picks });
      },
    },
  ],
});

const server = createServer(handler);
await listen(server, config.ports.api, config.host, NAME, 'API_PORT');
announce(NAME, config.origins.api);
stopOn(NAME, async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  await tracing.flush();
});
