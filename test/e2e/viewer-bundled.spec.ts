// An app that imports `spanbeam/viewer` and is built by its own bundler (Vite here) must still
// parse in the Worker: the bundler has to see `new URL('./viewer-worker.js', import.meta.url)` in
// dist/viewer.js and emit the worker file, or the viewer silently falls back to the main thread.
import { expect, test } from '@playwright/test';
import { build } from 'vite';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServer, type TestServer } from '../support/server';

const ROOT = resolve(import.meta.dirname, '../..');
const APP = `test/.build/bundled-app-${process.pid}`;

let server: TestServer;
test.beforeAll(async () => {
  const src = join(ROOT, `${APP}-src`);
  mkdirSync(src, { recursive: true });
  writeFileSync(
    join(src, 'index.html'),
    `<!doctype html><meta charset="utf-8"><body style="margin:0"><script type="module" src="./main.js"></script></body>`,
  );
  writeFileSync(
    join(src, 'main.js'),
    `import 'spanbeam/viewer';
const v = document.createElement('spanbeam-viewer');
v.style.height = '400px';
document.body.append(v);
v.addEventListener('spanbeam-load', (e) => (window.loaded = e.detail));
v.addEventListener('spanbeam-error', (e) => (window.loadError = String(e.detail?.message)));
v.load({ traceEvents: [
  { name: 'outer', ph: 'X', ts: 0, dur: 10, pid: 1, tid: 1 },
  { name: 'inner', ph: 'X', ts: 2, dur: 3, pid: 1, tid: 1 },
] });
`,
  );
  await build({
    configFile: false,
    logLevel: 'warn',
    root: src,
    base: './',
    // As an app resolves the package export (dist/, not src/).
    resolve: { alias: { 'spanbeam/viewer': join(ROOT, 'dist/viewer.js') } },
    build: { outDir: join(ROOT, APP), emptyOutDir: true, target: 'es2022' },
  });
  rmSync(src, { recursive: true, force: true });
  server = await startServer();
});
test.afterAll(async () => {
  await server?.close();
  rmSync(join(ROOT, APP), { recursive: true, force: true });
});

test('a Vite-built app emits the worker and the viewer parses in it', async ({ page }) => {
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${server.origin}/${APP}/index.html`);
  await page.waitForFunction(() => (window as { loaded?: unknown; loadError?: unknown }).loaded ?? (window as { loadError?: unknown }).loadError);
  const loaded = await page.evaluate(() => (window as { loaded?: { slices: number; format: string } }).loaded);
  expect(loaded).toMatchObject({ format: 'chrome-json', slices: 2 });
  // The worker is the app's own hashed asset, not a path that only exists in the package.
  expect(workers).toHaveLength(1);
  expect(workers[0]).toMatch(new RegExp(`/${APP}/assets/viewer-worker-[\\w-]+\\.js$`));
  // The main-thread importer (the fallback) was never needed.
  expect(requests.filter((u) => u.includes('main-thread'))).toEqual([]);
});
