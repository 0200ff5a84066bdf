// `npm start`: installs dependencies when missing, builds, and serves the playground page
// (spans created by clicks and fetches, listed live) on 127.0.0.1. Ctrl-C stops it.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
if (!existsSync(join(ROOT, 'node_modules/.package-lock.json'))) {
  console.log('[spanbeam] installing dependencies (npm install)…');
  execSync('npm install --no-audit --no-fund', { cwd: ROOT, stdio: 'inherit' });
}
console.log('[spanbeam] building…');
execSync(`${JSON.stringify(process.execPath)} scripts/build.mjs`, { cwd: ROOT, stdio: 'inherit' });

const PORT = Number(process.env.PORT ?? 5173);
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.map': 'application/json', '.css': 'text/css' };
const ALLOWED = ['dist/', 'demo/playground/', 'node_modules/zone.js/'];

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/') {
    res.writeHead(302, { location: '/demo/playground/' }).end();
    return;
  }
  if (url.pathname === '/api/echo') {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null, at: Date.now() }));
    }, 30 + Math.random() * 120);
    return;
  }
  let rel = normalize(url.pathname.slice(1));
  if (rel.endsWith('/')) rel += 'index.html';
  if (rel.includes('..') || !ALLOWED.some((d) => rel.startsWith(d))) {
    res.writeHead(404).end('not found');
    return;
  }
  try {
    const body = await readFile(join(ROOT, rel));
    res.writeHead(200, { 'content-type': MIME[extname(rel)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});
server.on('error', (err) => {
  if (err.code === 'EADDRINUSE') console.error(`[spanbeam] port ${PORT} is taken; set PORT=… to use another`);
  else console.error(err);
  process.exit(1);
});
server.listen(PORT, '127.0.0.1', () => {
  console.log(`\n  Spanbeam playground: http://127.0.0.1:${PORT}/\n  (Ctrl-C to stop)\n`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
