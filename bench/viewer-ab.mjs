#!/usr/bin/env node
/**
 * Viewer start-up A/B: the viewer as committed (HEAD's src/viewer, "A") against the working tree
 * ("B"), loaded alternately in one browser so both see the same machine noise. Per size: median
 * navigation → first full render, and the median load timeline (spanbeam:* marks, ms after
 * navigation start; worker phases included). Also the empty viewer's ready time.
 *
 *   node bench/viewer-ab.mjs [--sizes=100k] [--runs=7] [--base=<git rev>] [--a-split] [--variants=A,B] [--driver=cdp|playwright]
 * A variant `B:flag` loads B with `?flag=1` on the page (for switches under test).
 * Traces are generated into $SPANBEAM_BENCH_DIR (kept) or a temporary folder.
 */
import { createServer } from 'node:http';
import { execSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { chromium } from '@playwright/test';
import { launchOptions } from '../scripts/browser.mjs';
import { generateChromeTrace } from './gen-chrome-trace.mjs';
import { launchBare, playwrightPages } from './pages/viewer-cdp.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const SIZES = arg('sizes', '100k').split(',').filter(Boolean).map((x) => [x, Number(x.replace(/k$/i, 'e3').replace(/m$/i, 'e6'))]);
const RUNS = Number(arg('runs', '7'));
const BASE = arg('base', 'HEAD');
const work = process.env.SPANBEAM_BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'spanbeam-ab-'));

// Sources: A = src/viewer at BASE (copied under bench/.build so 'lit' resolves), B = working tree.
const baseRoot = join(ROOT, 'bench/.build/ab-base');
rmSync(baseRoot, { recursive: true, force: true });
mkdirSync(baseRoot, { recursive: true });
execSync(`git archive ${BASE} src/viewer src/sdk/types.ts | tar -x -C ${baseRoot}`, { cwd: ROOT });
// As bench/viewer-render.mjs builds it: viewer.js keeps what it shares with its lazy chunk (one
// request). --a-split builds A the way it was before that (viewer.js + a small shared chunk).
const buildOpts = (variant) => (variant === 'A' && process.argv.includes('--a-split') ? {} : { preserveEntrySignatures: 'allow-extension' });
for (const [variant, root] of [
  ['A', baseRoot],
  ['B', ROOT],
]) {
  const outDir = join(ROOT, `bench/.build/viewer-${variant}`);
  rmSync(outDir, { recursive: true, force: true });
  // The worker's format follows how that variant's client starts it (module or classic worker).
  const classic = !/type: 'module'/.test(readFileSync(join(root, 'src/viewer/import/client.ts'), 'utf8'));
  for (const [entry, file] of [
    ['src/viewer/index.ts', 'viewer.js'],
    ['src/viewer/import/worker.ts', 'viewer-worker.js'],
  ]) {
    const iife = classic && file === 'viewer-worker.js';
    await build({
      configFile: false,
      logLevel: 'warn',
      root,
      define: { __SPANBEAM_DEV__: 'false' },
      build: {
        outDir,
        emptyOutDir: false,
        target: 'es2022',
        minify: true,
        lib: { entry: join(root, entry), formats: [iife ? 'iife' : 'es'], name: 'spanbeamImportWorker', fileName: () => file },
        rolldownOptions: file === 'viewer.js' ? buildOpts(variant) : iife ? { output: { strict: true } } : {},
      },
    });
  }
  const files = readdirSync(outDir).filter((f) => f.endsWith('.js'));
  console.log(`${variant}: ${files.join(', ')}; viewer.js ${(gzipSync(readFileSync(join(outDir, 'viewer.js')), { level: 9 }).length / 1024).toFixed(1)} KB gzip`);
}

for (const [label, n] of SIZES) {
  const path = join(work, `trace-${label}.json`);
  if (!existsSync(path)) await generateChromeTrace(path, n);
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
  const file = rel.startsWith('traces/') ? join(work, rel.slice(7)) : join(ROOT, rel);
  if (!(rel.startsWith('traces/') || rel.startsWith('bench/')) || rel.includes('..') || !existsSync(file) || statSync(file).isDirectory()) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
  createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;
const median = (xs) => {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : undefined;
};

// Loads run in a Chromium on a bare CDP pipe (see bench/pages/viewer-cdp.mjs: Playwright pauses each new
// Worker until its driver answers); --driver=playwright for the old way.
const browser = arg('driver', 'cdp') === 'playwright' ? playwrightPages(await chromium.launch(launchOptions({ args: ['--window-size=1400,900'] }))) : await launchBare({ args: ['--window-size=1400,900'] });
const open = (url) => browser.open(url, { width: 1400, height: 900 });
try {
  for (const [label] of [['empty'], ...SIZES]) {
    const VARIANTS = arg('variants', 'A,B').split(',');
    const runs = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    for (let k = 0; k < RUNS; k++) {
      for (const v of k % 2 ? [...VARIANTS].reverse() : VARIANTS) {
        const src = label === 'empty' ? '' : `&src=/traces/trace-${label}.json`;
        const page = await open(`${origin}/bench/pages/viewer-ab.html?build=viewer-${v.split(':')[0]}${v.includes(':') ? `&${v.split(':')[1]}=1` : ''}${src}`);
        const key = label === 'empty' ? 'ready' : 'loaded';
        await page.waitFor(`window.__bench?.${key} || window.__bench?.error`);
        runs[v].push(
          await page.evaluate(`((k) => {
            if (window.__bench.error) throw new Error(window.__bench.error);
            const marks = {};
            for (const e of performance.getEntriesByType('mark')) if (!(e.name in marks)) marks[e.name.replace('spanbeam:', '')] = e.startTime;
            const js = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/viewer.js'));
            marks['viewer.js arrived'] = js?.responseEnd;
            marks.requests = performance.getEntriesByType('resource').filter((r) => /\\/viewer-[AB]\\//.test(r.name) && !r.name.endsWith('viewer-worker.js')).length;
            marks.total = window.__bench[k];
            return marks;
          })(${JSON.stringify(key)})`),
        );
        await page.close();
      }
    }
    const names = [...new Set(VARIANTS.flatMap((v) => runs[v].flatMap((m) => Object.keys(m))))];
    const cell = (x) => (x === undefined ? '—' : x.toFixed(1)).padStart(9);
    const rows = names.map((n) => [n, ...VARIANTS.map((v) => median(runs[v].map((m) => m[n])))]).sort((a, b) => (a.at(-1) ?? a[1] ?? 0) - (b.at(-1) ?? b[1] ?? 0));
    console.log(`\n${label} (medians of ${RUNS}, ms after navigation start; A = ${BASE}, B = working tree)`);
    console.log(`  ${''.padEnd(26)} ${VARIANTS.map((v) => v.padStart(9)).join(' ')}`);
    for (const [n, ...xs] of rows) console.log(`  ${n.padEnd(26)} ${xs.map(cell).join(' ')}`);
    const own = (m) => m.total - m['viewer.js arrived'];
    console.log(`  ${'total − viewer.js arrival'.padEnd(26)} ${VARIANTS.map((v) => cell(median(runs[v].map(own)))).join(' ')}`);
    // A preview (cut when an import runs long, e.g. on a busy machine) delays the final model: say how often.
    if (label !== 'empty') {
      console.log(`  ${'loads with a preview'.padEnd(26)} ${VARIANTS.map((v) => `${runs[v].filter((m) => m['worker:preview'] !== undefined).length}/${runs[v].length}`.padStart(9)).join(' ')}`);
      for (const v of VARIANTS) console.log(`  ${`totals ${v}`.padEnd(26)} ${runs[v].map((m) => m.total.toFixed(0)).join(' ')}`);
    }
  }
} finally {
  await browser.close();
  server.close();
  if (!process.env.SPANBEAM_BENCH_DIR) rmSync(work, { recursive: true, force: true });
}
