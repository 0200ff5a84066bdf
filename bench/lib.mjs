// Shared bench plumbing: build entries with Vite, serve bench files on 127.0.0.1, launch Chromium.
import { build } from 'vite';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { launchOptions } from '../scripts/browser.mjs';

export const ROOT = resolve(import.meta.dirname, '..');

/** Bundles `entry` as an ES module (everything inlined) into bench/.build/<name>.js. */
export async function bundle(entry, name, { target = 'es2022', minify = true } = {}) {
  await build({
    configFile: false,
    logLevel: 'warn',
    define: { __SPANBEAM_DEV__: 'false', 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: join(ROOT, 'bench/.build'),
      emptyOutDir: false,
      target,
      minify,
      lib: { entry: join(ROOT, entry), formats: ['es'], fileName: () => `${name}.js` },
    },
  });
  return `/bench/.build/${name}.js`;
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.mjs': 'text/javascript' };

/** Serves the repo root (bench files, dist, node_modules) plus extra routes. */
export async function serve(routes = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const route = routes[url.pathname];
    if (route) return route(req, res);
    try {
      const data = await readFile(join(ROOT, url.pathname));
      res.writeHead(200, { 'content-type': MIME[extname(url.pathname)] ?? 'application/octet-stream' }).end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

export async function launch(extraArgs = []) {
  return chromium.launch(launchOptions({ args: extraArgs }));
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
