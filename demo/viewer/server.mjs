// Serves the trace list page, with <spanbeam-viewer> from the package, through Vite.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, demoConfig } from '../config.mjs';
import { announce, listen, stopOn } from '../lib/http.mjs';
import { startViteServer } from '../lib/vite-server.mjs';

const NAME = 'viewer';
const config = demoConfig();
const root = join(ROOT, 'demo/viewer');

const { httpServer, vite } = await startViteServer({
  name: NAME,
  root,
  cacheDir: join(config.dataDir, 'vite-cache', NAME),
  env: { VITE_SPANBEAM_RECEIVER: config.origins.receiver, VITE_SPANBEAM_APP: config.origins.app },
  optimize: [],
  // The viewer's import Worker, as its own same-origin file (the page sets worker-url to it).
  async extra(req, res, url) {
    if (url.pathname !== '/viewer-worker.js' || req.method !== 'GET') return false;
    try {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(await readFile(join(ROOT, 'dist/viewer-worker.js')));
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('dist/viewer-worker.js is missing: run npm run build');
    }
    return true;
  },
  async html(path) {
    if (path !== '/' && path !== '/index.html') return undefined;
    return { html: await readFile(join(root, 'index.html'), 'utf8') };
  },
});

await listen(httpServer, config.ports.viewer, config.host, NAME, 'VIEWER_PORT');
announce(NAME, config.origins.viewer);
stopOn(NAME, async () => {
  httpServer.closeAllConnections();
  await vite.close();
  await new Promise((ok) => httpServer.close(ok));
});
