// The internal inventory service: only the shop backend calls it. Each route continues the
// backend's trace (SERVER span) and runs a simulated database query (CLIENT span with db.*).
import { createServer } from 'node:http';
import { demoConfig } from '../config.mjs';
import { HttpError, announce, listen, sendJson, stopOn } from '../lib/http.mjs';
import { startNodeTracing } from '../lib/node-tracing.mjs';
import { dbQuery, readJson, tracedRouter } from '../lib/traced-http.mjs';
import { PRODUCTS } from './catalog.mjs';

const NAME = 'inventory';
const config = demoConfig();
const tracing = startNodeTracing({ serviceName: NAME, endpoint: config.endpoint });

/** Units in stock by sku; reservations take from it, and it refills so the demo never runs dry. */
const stock = new Map(PRODUCTS.map((p, i) => [p.sku, 5 + ((i * 7) % 11)]));
const jitter = (/** @type {number} */ lo, /** @type {number} */ hi) => lo + Math.random() * (hi - lo);

const handler = tracedRouter({
  tracerName: 'demo/inventory',
  routes: [
    {
      method: 'GET',
      route: '/stock',
      async handle({ res, url }) {
        const skus = (url.searchParams.get('skus') ?? '').split(',').filter(Boolean);
        const rows = await dbQuery(
          { operation: 'SELECT', collection: 'inventory', query: 'SELECT sku, units FROM inventory WHERE sku = ANY($1)', ms: jitter(8, 25) },
          () => skus.map((sku) => ({ sku, units: stock.get(sku) ?? 0 })),
        );
        sendJson(res, 200, { stock: rows });
      },
    },
    {
      method: 'POST',
      route: '/reserve',
      async handle({ req, res, span }) {
        const { items } = await readJson(req);
        if (!Array.isArray(items) || !items.length) throw new HttpError(400, 'items: a non-empty array expected');
        span.setAttribute('inventory.items', items.length);
        const result = await dbQuery(
          { operation: 'UPDATE', collection: 'inventory', query: 'UPDATE inventory SET units = units - $2 WHERE sku = $1 AND units >= $2', ms: jitter(15, 40) },
          () => {
            const short = items.filter((/** @type {any} */ it) => (stock.get(it.sku) ?? 0) < it.qty).map((/** @type {any} */ it) => it.sku);
            if (short.length) return { ok: false, short };
            for (const it of items) {
              const left = (stock.get(it.sku) ?? 0) - it.qty;
              stock.set(it.sku, left > 0 ? left : 20);
            }
            return { ok: true, short: [] };
          },
        );
        if (!result.ok) throw new HttpError(409, `out of stock: ${result.short.join(', ')}`);
        sendJson(res, 200, { reserved: items.length });
      },
    },
  ],
});

const server = createServer(handler);
await listen(server, config.ports.inventory, config.host, NAME, 'INVENTORY_PORT');
announce(NAME, config.origins.inventory);
stopOn(NAME, async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  await tracing.flush();
});
