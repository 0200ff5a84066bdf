#!/usr/bin/env node
/**
 * Viewer import benchmark: generates Chrome traces of 100k / 1M / 5M `X` events (temp dir),
 * and the same slices as Perfetto protobuf traces (bench/gen-proto-trace.mjs: a SLICE_BEGIN /
 * SLICE_END pair per slice), serves them on 127.0.0.1, imports each in headless Chromium through
 * the Worker path, and prints import time, peak and retained memory
 * (performance.measureUserAgentSpecificMemory: JS heaps of page + worker, ArrayBuffers included)
 * and the longest main-thread task.
 *
 *   node bench/viewer-import.mjs [--sizes=100k,1m,5m] [--formats=json,proto] [--keep]
 * Targets (issue 5): 1M ≤ 2.5 s, no main-thread task > 50 ms; 5M and > 512 MiB load at all.
 */
import { createServer } from 'node:http';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, extname } from 'node:path';
import { build } from 'vite';
import { chromium } from '@playwright/test';
import { launchOptions } from '../scripts/browser.mjs';
import { generateChromeTrace } from './gen-chrome-trace.mjs';
import { generateProtoTrace } from './gen-proto-trace.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const SIZES = arg('sizes', '100k,1m,5m')
  .split(',')
  .map((s) => [s, Number(s.replace(/k$/i, 'e3').replace(/m$/i, 'e6'))]);
const FORMATS = arg('formats', 'json,proto').split(',');
const EXT = { json: 'json', proto: 'pftrace' };
const keep = process.argv.includes('--keep');
const work = process.env.SPANBEAM_BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'spanbeam-import-'));

// 1. Bundles (page entry + worker side by side, as dist/ has them).
const common = { configFile: false, logLevel: 'warn', root: ROOT, define: { __SPANBEAM_DEV__: 'false' } };
for (const [entry, file, minify] of [
  ['bench/pages/viewer-import-entry.ts', 'bench-page.js', false],
  ['src/viewer/import/worker.ts', 'viewer-worker.js', true],
]) {
  await build({
    ...common,
    // The worker as scripts/build.mjs builds it: a classic (strict, import-free) script.
    build: {
      outDir: work,
      emptyOutDir: false,
      target: 'es2022',
      minify,
      lib: { entry: resolve(ROOT, entry), formats: [file === 'viewer-worker.js' ? 'iife' : 'es'], name: 'spanbeamImportWorker', fileName: () => file },
      ...(file === 'viewer-worker.js' ? { rolldownOptions: { output: { strict: true } } } : {}),
    },
  });
}

// 2. Traces.
for (const [label, n] of SIZES) {
  for (const format of FORMATS) {
    const path = join(work, `trace-${label}.${EXT[format]}`);
    if (existsSync(path)) continue;
    const t0 = performance.now();
    const r = await (format === 'proto' ? generateProtoTrace : generateChromeTrace)(path, n);
    console.error(`generated ${label} ${format}: ${(r.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

// 3. Server: cross-origin isolated so measureUserAgentSpecificMemory is available.
const html = '<!doctype html><meta charset="utf-8"><script type="module" src="/bench-page.js"></script>';
const server = createServer((req, res) => {
  const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/') return void res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(html);
  const file = join(work, url.pathname.replace(/^\/+/, ''));
  if (!file.startsWith(work) || !existsSync(file)) return void res.writeHead(404).end();
  const type = extname(file) === '.js' ? 'text/javascript' : extname(file) === '.json' ? 'application/json' : 'application/octet-stream';
  res.writeHead(200, { ...headers, 'content-type': type, 'content-length': statSync(file).size });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch(launchOptions({ args: ['--enable-blink-features=ForceEagerMeasureMemory'] }));
const mb = (b) => (Number.isFinite(b) ? `${(b / 1e6).toFixed(0)} MB` : 'n/a');
const rows = [];
try {
  for (const [label, n, format] of SIZES.flatMap((s) => FORMATS.map((f) => [...s, f]))) {
    const page = await browser.newPage();
    await page.goto(origin);
    await page.waitForFunction(() => window.ready === true);
    const url = `/trace-${label}.${EXT[format]}`;
    const bytes = statSync(join(work, `trace-${label}.${EXT[format]}`)).size;
    // Timed run (no memory sampling), then a run that samples memory for the peak.
    const timed = await page.evaluate((u) => window.bench.run(u, false), url);
    await page.evaluate(() => window.bench.drop());
    const mem = await page.evaluate((u) => window.bench.run(u, true), url);
    rows.push({
      events: label,
      format,
      fileMB: +(bytes / 1e6).toFixed(0),
      importMs: Math.round(timed.importMs),
      worker: timed.worker,
      longestMainTaskMs: Math.round(timed.longestTaskMs),
      peak: mb(mem.peakBytes),
      retained: mb(timed.retainedBytes - timed.memoryBefore),
      retainedBytesPerEvent: Math.round((timed.retainedBytes - timed.memoryBefore) / n),
      slices: timed.slices,
    });
    console.error(JSON.stringify(rows.at(-1)));
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
  if (!keep && !process.env.SPANBEAM_BENCH_DIR) rmSync(work, { recursive: true, force: true });
}
console.table(rows);
const oneM = rows.find((r) => r.events.toLowerCase() === '1m' && r.format === 'json');
if (oneM) {
  console.log(`1M target ≤ 2500 ms: ${oneM.importMs <= 2500 ? 'met' : 'MISSED'} (${oneM.importMs} ms); main-thread task ≤ 50 ms: ${oneM.longestMainTaskMs <= 50 ? 'met' : 'MISSED'}`);
}
