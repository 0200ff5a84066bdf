// One of the demo's web pages served by Vite's dev server (its Node API, middleware mode, with
// hot reload), under a node:http server that owns the HTML routes.
import { createServer as createHttpServer } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createViteServer } from 'vite';
import { ROOT } from '../config.mjs';

/**
 * The package's own entry points, as a user's bundler would resolve them after
 * `npm install spanbeam`: the `development` build of dist/ (warnings kept).
 */
function spanbeamAliases() {
  const dist = (/** @type {string} */ f) => join(ROOT, 'dist/dev', f);
  const viewer = existsSync(dist('viewer.js')) ? dist('viewer.js') : join(ROOT, 'demo/viewer/viewer-missing.js');
  return [
    { find: /^spanbeam\/viewer$/, replacement: viewer },
    { find: /^spanbeam\/propagation$/, replacement: dist('propagation.js') },
    { find: /^spanbeam\/zone$/, replacement: dist('zone.js') },
    { find: /^spanbeam$/, replacement: dist('index.js') },
  ];
}

/**
 * The packages dist/ imports (lit, idb, web-vitals …), so Vite pre-bundles them at start instead
 * of discovering them on the first visit and reloading the page.
 */
function distDependencies() {
  const deps = new Set();
  const dir = join(ROOT, 'dist/dev');
  // The entries and their chunks (idb is imported by one); the worker imports nothing.
  for (const f of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'viewer-worker.js') : []) {
    // Top-level import/export-from statements only (the bundles are ESM with imports first), bare package names.
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/^(?:import|export)\s(?:[^'"]*?\sfrom\s*)?["']((?:@[\w.-]+\/)?\w[\w.-]*(?:\/[\w./-]+)?)["'];?$/gm)) deps.add(m[1]);
  }
  return [...deps];
}

/**
 * @param {{
 *   name: string, root: string, cacheDir: string,
 *   env: Record<string, string>,
 *   optimize: string[],
 *   html: (path: string) => Promise<{ html: string, headers?: Record<string, string> } | undefined>,
 *   extra?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL) => Promise<boolean>,
 * }} o `html(path)` returns the page for a path (or undefined: not a page); `extra` answers other routes first
 */
export async function startViteServer(o) {
  // Vite exposes VITE_* variables from the environment to import.meta.env and `%VITE_…%` in HTML.
  Object.assign(process.env, o.env);
  const httpServer = createHttpServer();
  const vite = await createViteServer({
    configFile: false,
    root: o.root,
    appType: 'custom',
    logLevel: 'warn',
    clearScreen: false,
    cacheDir: o.cacheDir,
    resolve: { alias: spanbeamAliases() },
    // Discover and pre-bundle dependencies up front: no "new dependencies, reloading" mid-visit.
    optimizeDeps: { include: [...new Set([...o.optimize, ...distDependencies()])], entries: [] },
    server: { middlewareMode: true, hmr: { server: httpServer }, fs: { allow: [ROOT] } },
  });
  httpServer.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://page');
    try {
      if (o.extra && (await o.extra(req, res, url))) return;
      if (req.method === 'GET') {
        const page = await o.html(url.pathname);
        if (page) {
          const html = await vite.transformIndexHtml(url.pathname, page.html);
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...page.headers });
          res.end(html);
          return;
        }
      }
      vite.middlewares(req, res, () => {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      });
    } catch (err) {
      console.error(`[${o.name}]`, err);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${o.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return { httpServer, vite };
}
