// Script evaluation to ready with every instrumentation on, side by side with OpenTelemetry web:
// each SDK's script-tag bundle evaluated from text (so its compile runs on the main thread, the
// worst case: a `<script src>` of 30 KiB or more is parsed off the main thread while it downloads),
// then started; median over fresh pages, the SDKs alternating page by page. Spanbeam is the
// production IIFE (built and minified as dist/spanbeam.iife.js is, no dev warnings); OpenTelemetry
// is bench/size/otel-web.ts (page load, fetch, XHR, clicks, OTLP; es2020 as the anchors measured
// it, minified by esbuild), without zone.js like Spanbeam here, and once more with zone.js and
// its ZoneContextManager as its README sets it up (bench/pages/startup-otel-zone-entry.ts). What Spanbeam's start() defers to idle callbacks is reported next to it.
import { build } from 'vite';
import { build as esbuild } from 'esbuild';
import { minifyProd } from '../scripts/minify.mjs';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, serve, launch, median } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
const r = await build({
  configFile: false,
  logLevel: 'warn',
  define: { __SPANBEAM_DEV__: 'false' },
  build: { write: false, target: 'es2022', minify: true, lib: { entry: join(ROOT, 'src/script.ts'), formats: ['iife'], name: 'Spanbeam', fileName: () => 'x.js' } },
});
mkdirSync(join(ROOT, 'bench/.build'), { recursive: true });
const { code } = await minifyProd((Array.isArray(r) ? r[0] : r).output[0].code, { module: false, compress: true });
writeFileSync(join(ROOT, 'bench/.build/startup-spanbeam.js'), code);
const otel = (entry, name) =>
  esbuild({
    entryPoints: [join(ROOT, entry)],
    outfile: join(ROOT, `bench/.build/startup-${name}.js`),
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'OTelWeb',
    target: 'es2020',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
await otel('bench/size/otel-web.ts', 'otel');
await otel('bench/pages/startup-otel-zone-entry.ts', 'otel-zone');

// The same bundles as a page loads them: a <script src> tag on a first visit (a fresh browser
// context, so no HTTP or code cache), where Chromium compiles a script of 30 KiB or more on a
// background thread while it downloads. The tag's main-thread evaluation is read from a trace
// (EvaluateScript), start from the page.
const tagPage = (sdk) => `<!doctype html><meta charset="utf-8"><script src="/bench/.build/startup-${sdk}.js"></script>
<script>const t1 = performance.now(); ${startCall(sdk)}; window.__result = { startMs: performance.now() - t1 };</script>`;
const startCall = (sdk) => (sdk === 'spanbeam' ? 'Spanbeam.start({ endpoint: "/v1/traces", serviceName: "bench" })' : 'OTelWeb.start("/v1/traces")');
const server = await serve({
  '/v1/traces': (_q, res) => res.writeHead(200).end('{}'),
  '/tag.html': (req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(tagPage(new URL(req.url, 'http://x').searchParams.get('sdk'))),
});
const browser = await launch();
const SDKS = ['spanbeam', 'otel', 'otel-zone'];
const rows = Object.fromEntries(SDKS.map((k) => [k, []]));
for (let i = 0; i < RUNS; i++)
  for (const sdk of i & 1 ? [...SDKS].reverse() : SDKS) {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/bench/pages/startup.html?sdk=${sdk}`);
    rows[sdk].push(await page.waitForFunction(() => window.__result).then((h) => h.jsonValue()));
    await page.close();
  }
const tag = Object.fromEntries(SDKS.map((k) => [k, []]));
for (let i = 0; i < RUNS; i++)
  for (const sdk of i & 1 ? [...SDKS].reverse() : SDKS) {
    const page = await browser.newPage();
    const trace = join(ROOT, 'bench/.build/startup-trace.json');
    await browser.startTracing(page, { path: trace, categories: ['devtools.timeline'] });
    await page.goto(`${server.origin}/tag.html?sdk=${sdk}`);
    const { startMs } = await page.waitForFunction(() => window.__result).then((h) => h.jsonValue());
    await browser.stopTracing();
    const ev = JSON.parse(readFileSync(trace, 'utf8')).traceEvents.find(
      (e) => e.name === 'EvaluateScript' && e.ph === 'X' && e.args?.data?.url?.endsWith(`/startup-${sdk}.js`),
    );
    if (!ev) throw new Error(`${sdk}: no EvaluateScript event for its script`);
    tag[sdk].push({ evalMs: ev.dur / 1000, startMs, totalMs: ev.dur / 1000 + startMs });
    await page.close();
  }
await browser.close();
await server.close();
const m = (sdk, k) => median(rows[sdk].map((x) => x[k]));
const f = (x) => x.toFixed(2);
console.log(`script evaluation to ready (median of ${RUNS} fresh pages each, every instrumentation on, compiled on the main thread):`);
console.log(`  Spanbeam       evaluate bundle ${f(m('spanbeam', 'evalMs'))} ms + start() ${f(m('spanbeam', 'startMs'))} ms = ${f(m('spanbeam', 'totalMs'))} ms   (target ≤ 5 ms)`);
console.log(`                 then, when the page is first idle: ${f(m('spanbeam', 'deferredMs'))} ms (web vitals, long frames, exporter, page-load spans)`);
console.log(`  OpenTelemetry  evaluate bundle ${f(m('otel', 'evalMs'))} ms + start ${f(m('otel', 'startMs'))} ms = ${f(m('otel', 'totalMs'))} ms   (no zone.js, like for like; Elastic ~12 in the anchors)`);
console.log(`  OpenTelemetry with zone.js and its ZoneContextManager: ${f(m('otel-zone', 'totalMs'))} ms   (the anchors' ~53 ms)`);
console.log(`  ratio Spanbeam/OpenTelemetry (no zone.js): ${(m('spanbeam', 'totalMs') / m('otel', 'totalMs')).toFixed(3)}`);
const t = (sdk, k) => median(tag[sdk].map((x) => x[k]));
console.log(`as a <script src> tag on a first visit (compiled off the main thread while downloading; main-thread time, median of ${RUNS}):`);
for (const [sdk, name] of [['spanbeam', 'Spanbeam'], ['otel', 'OpenTelemetry'], ['otel-zone', 'OTel + zone.js']])
  console.log(`  ${name.padEnd(14)} evaluate ${f(t(sdk, 'evalMs'))} ms + start ${f(t(sdk, 'startMs'))} ms = ${f(t(sdk, 'totalMs'))} ms`);
console.log(`  ratio Spanbeam/OpenTelemetry (no zone.js): ${(t('spanbeam', 'totalMs') / t('otel', 'totalMs')).toFixed(3)}`);
