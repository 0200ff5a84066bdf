// Serves the demo shop with Vite. HTML pages are rendered by the backend (as in a server-rendered
// app): it answers with the page and the trace context of its SERVER span (meta + Server-Timing),
// which this server passes on; modules, CSS and hot reload come from Vite.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, demoConfig } from '../config.mjs';
import { announce, listen, stopOn } from '../lib/http.mjs';
import { startViteServer } from '../lib/vite-server.mjs';

const NAME = 'app';
const config = demoConfig();
const PAGES = new Map([
  ['/', 'index.html'],
  ['/index.html', 'index.html'],
  ['/script-tag.html', 'script-tag.html'],
]);
// The script-tag bundles, straight from dist/ as a CDN would serve them.
const SCRIPTS = new Set(['spanbeam.iife.js', 'spanbeam-zone.iife.js', 'spanbeam.iife.js.map', 'spanbeam-zone.iife.js.map']);

const { httpServer, vite } = await startViteServer({
  name: NAME,
  root: join(ROOT, 'demo/app'),
  cacheDir: join(config.dataDir, 'vite-cache', NAME),
  env: {
    VITE_SPANBEAM_API: config.origins.api,
    VITE_SPANBEAM_ENDPOINT: config.endpoint,
    VITE_SPANBEAM_VIEWER: config.origins.viewer,
  },
  optimize: ['zone.js'],
  async html(path) {
    const page = PAGES.get(path);
    if (!page) return undefined;
    const res = await fetch(`${config.origins.api}/pages/${page}`).catch((err) => {
      throw new Error(`the backend (${config.origins.api}) is not answering: ${err.message}`);
    });
    const html = await res.text();
    if (!res.ok) throw new Error(`the backend answered ${res.status} for ${page}: ${html}`);
    /** @type {Record<string, string>} */
    const headers = {};
    const serverTiming = res.headers.get('server-timing');
    if (serverTiming) headers['server-timing'] = serverTiming;
    return { html, headers };
  },
  async extra(req, res, url) {
    const m = /^\/dist\/([\w.-]+)$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return false;
    if (!SCRIPTS.has(m[1])) {
      res.writeHead(404).end();
      return true;
    }
    try {
      const body = await readFile(join(ROOT, 'dist', m[1]));
      res.writeHead(200, { 'content-type': m[1].endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`dist/${m[1]} is missing: run npm run build`);
    }
    return true;
  },
});

await listen(httpServer, config.ports.app, config.host, NAME, 'APP_PORT');
announce(NAME, config.origins.app);
stopOn(NAME, async () => {
  httpServer.closeAllConnections();
  await vite.close();
  await new Promise((ok) => httpServer.close(ok));
});
