// The demo's addresses and settings, from the environment, computed the same way by every
// process of the stack (scripts/start.mjs passes its environment to each one).
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');

/** @param {string | undefined} raw @param {number} fallback @param {string} name */
function port(raw, fallback, name) {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}=${raw} is not a port number (1-65535)`);
  return n;
}

/**
 * @typedef {object} DemoConfig
 * @property {string} host interface every server binds to
 * @property {{ receiver: number, api: number, inventory: number, app: number, viewer: number }} ports
 * @property {{ receiver: string, api: string, inventory: string, app: string, viewer: string }} origins
 * @property {string} endpoint OTLP/HTTP traces URL the browser pages and the Node services export to
 * @property {string[]} allowedOrigins other pages (your own app) the receiver accepts spans from
 * @property {string} dataDir where the receiver keeps its NDJSON file
 * @property {number} failureRate share of /api/recommendations calls that fail (0-1)
 * @property {number} slowMs how long the checkout's payment step takes
 */

/** @param {NodeJS.ProcessEnv} [env] @returns {DemoConfig} */
export function demoConfig(env = process.env) {
  const host = env.HOST || '127.0.0.1';
  const ports = {
    app: port(env.APP_PORT ?? env.PORT, 5173, 'APP_PORT'),
    viewer: port(env.VIEWER_PORT, 5174, 'VIEWER_PORT'),
    api: port(env.API_PORT, 5175, 'API_PORT'),
    inventory: port(env.INVENTORY_PORT, 5176, 'INVENTORY_PORT'),
    receiver: port(env.RECEIVER_PORT, 4318, 'RECEIVER_PORT'),
  };
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  // An IPv6 address goes in brackets in a URL (http://[::1]:5173).
  const origin = (/** @type {number} */ p) => `http://${shown.includes(':') ? `[${shown}]` : shown}:${p}`;
  const origins = {
    app: origin(ports.app),
    viewer: origin(ports.viewer),
    api: origin(ports.api),
    inventory: origin(ports.inventory),
    receiver: origin(ports.receiver),
  };
  // Exact origins, as the Collector's `cors.allowed_origins`: a typo must not silently refuse.
  const allowedOrigins = (env.RECEIVER_ALLOWED_ORIGINS ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((raw) => {
      const o = raw.replace(/\/$/, '');
      if (!URL.canParse(o) || new URL(o).origin !== o) throw new Error(`RECEIVER_ALLOWED_ORIGINS: ${raw} is not an origin (scheme://host:port, e.g. http://localhost:3000)`);
      return o;
    });
  const rate = Number(env.DEMO_FAILURE_RATE ?? 0.3);
  return {
    host,
    ports,
    origins,
    endpoint: env.OTLP_ENDPOINT || `${origins.receiver}/v1/traces`,
    allowedOrigins,
    dataDir: resolve(env.SPANBEAM_DATA_DIR || resolve(ROOT, 'demo/data')),
    failureRate: rate >= 0 && rate <= 1 ? rate : 0.3,
    slowMs: Number(env.DEMO_SLOW_MS ?? 800) || 0,
  };
}

/**
 * The same origin written with 127.0.0.1 and with localhost, so a page opened either way passes
 * an exact-origin CORS check.
 * @param {string[]} origins
 */
export function withLocalhostAliases(origins) {
  const out = new Set(origins);
  for (const o of origins) {
    out.add(o.replace('//127.0.0.1:', '//localhost:'));
    out.add(o.replace('//localhost:', '//127.0.0.1:'));
  }
  return [...out];
}
