// Script evaluation to ready with every instrumentation on, side by side with OpenTelemetry web:
// each SDK's script-tag bundle evaluated from text (so its compile runs on the main thread, the
// worst case: a `<script src>` of 30 KiB or more is parsed off the main thread while it downloads),
// then started; median over fresh pages, the SDKs alternating page by page. Spanbeam is the
// production IIFE (built and minified as dist/spanbeam.iife.js is, no dev warnings); OpenTelemetry
// is bench/size/otel-web.ts (page load, fetch, XHR, clicks, OTLP; es2020 as the anchors measured
// it, minified by esbuild), without zone.js like Spanbeam here, and once more with zone.js and
// its ZoneContextManager as its README sets it up (bench/pages/startup-otel-zone-entry.ts). What
// Spanbeam's start() defers to idle callbacks is reported next to it.
import { build } from 'vite';
import { build as esbuild } from 'esbuild';
import { minifyProd } from '../scripts/minify.mjs';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, serve, launch, median } from './lib.mjs';
import { scriptTagBuild } from '../scripts/script-tag.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
const r = await build({
  configFile: false,
  logLevel: 'warn',
  define: { __SPANBEAM_DEV__: 'false' },
  build: {
    write: false,
    target: 'es2022',
    minify: true,
    ...scriptTagBuild(join(ROOT, 'src/script.ts')),
  },
});
mkdirSync(join(ROOT, 'bench/.build'), { recursive: true });
const { code } = await minifyProd((Array.isArray(r) ? r[0] : r).output[0].code, { module: false, compress: true });
writeFileSync(join(ROOT, 'bench/.build/startup-spanbeam.js'), code);
const other = (entry, name) =>
  esbuild({
    entryPoints: [join(ROOT, entry)],
    outfile: join(ROOT, `bench/.build/startup-${name}.js`),
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Sdk',
    target: 'es2020',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
await other('bench/size/otel-web.ts', 'otel');
await other('bench/pages/startup-otel-zone-entry.ts', 'otel-zone');
await other('bench/size/elastic-rum.ts', 'elastic');

const START = {
  spanbeam: 'Spanbeam.start({ endpoint: "/v1/traces", serviceName: "bench" })',
  otel: 'Sdk.start("/v1/traces")',
  'otel-zone': 'Sdk.start("/v1/traces")',
  elastic: 'Sdk.start(location.origin)',
};
// From text: the bundle's text is fetched first (network excluded), then evaluated and the SDK
// started. What Spanbeam's start() leaves for later is timed too, so deferring work cannot hide
// it: its idle callbacks (web vitals, long frames, exporter, page-load spans) until one second
// after start.
const textPage = (sdk) => `<!doctype html><meta charset="utf-8"><script>
  const ric = window.requestIdleCallback.bind(window);
  let deferredMs = 0;
  window.requestIdleCallback = (cb, o) => ric((d) => {
    const t = performance.now();
    try { cb(d); } finally { deferredMs += performance.now() - t; }
  }, o);
  (async () => {
    const code = await (await fetch('/bench/.build/startup-${sdk}.js')).text();
    const s = document.createElement('script');
    s.textContent = code + '\\n;window.__t1 = performance.now(); ${START[sdk]}; window.__t2 = performance.now();';
    window.__t0 = performance.now();
    document.head.append(s);
    const r = { evalMs: __t1 - __t0, startMs: __t2 - __t1, totalMs: __t2 - __t0 };
    await new Promise((ok) => setTimeout(ok, 1000));
    window.__result = { ...r, deferredMs };
  })();
</script>`;
// As a page loads them: a <script src> tag on a first visit (a fresh browser context, so no HTTP
// or code cache), where Chromium compiles a script of 30 KiB or more on a background thread while
// it downloads. The tag's main-thread evaluation is read from a trace (EvaluateScript), start from
// the page.
const tagPage = (sdk) => `<!doctype html><meta charset="utf-8"><script src="/bench/.build/startup-${sdk}.js"></script>
<script>const t1 = performance.now(); ${START[sdk]}; window.__result = { startMs: performance.now() - t1 };</script>`;
const page = (make) => (req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(make(new URL(req.url, 'http://x').searchParams.get('sdk')));
const server = await serve({
  '/v1/traces': (_q, res) => res.writeHead(200).end('{}'),
  '/intake/v2/rum/events': (_q, res) => res.writeHead(202).end(),
  '/intake/v3/rum/events': (_q, res) => res.writeHead(202).end(),
  '/text.html': page(textPage), '/tag.html': page(tagPage) });
const browser = await launch();
const SDKS = Object.keys(START);
/** RUNS fresh pages per SDK, the SDKs alternating page by page; `measure(page, sdk)` gives a row. */
async function rowsOf(measure) {
  const rows = Object.fromEntries(SDKS.map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++)
    for (const sdk of i & 1 ? [...SDKS].reverse() : SDKS) {
      const p = await browser.newPage();
      rows[sdk].push(await measure(p, sdk));
      await p.close();
    }
  return rows;
}
const result = (p) => p.waitForFunction(() => window.__result).then((h) => h.jsonValue());
const rows = await rowsOf(async (p, sdk) => {
  await p.goto(`${server.origin}/text.html?sdk=${sdk}`);
  return result(p);
});
const trace = join(ROOT, 'bench/.build/startup-trace.json');
const tag = await rowsOf(async (p, sdk) => {
  await browser.startTracing(p, { path: trace, categories: ['devtools.timeline'] });
  await p.goto(`${server.origin}/tag.html?sdk=${sdk}`);
  const { startMs } = await result(p);
  await browser.stopTracing();
  const ev = JSON.parse(readFileSync(trace, 'utf8')).traceEvents.find(
    (e) => e.name === 'EvaluateScript' && e.ph === 'X' && e.args?.data?.url?.endsWith(`/startup-${sdk}.js`),
  );
  if (!ev) throw new Error(`${sdk}: no EvaluateScript event for its script`);
  return { evalMs: ev.dur / 1000, startMs, totalMs: ev.dur / 1000 + startMs };
});
await browser.close();
await server.close();
const m = (sdk, k) => median(rows[sdk].map((x) => x[k]));
const f = (x) => x.toFixed(2);
console.log(`script evaluation to ready (median of ${RUNS} fresh pages each, every instrumentation on, compiled on the main thread):`);
console.log(`  Spanbeam       evaluate bundle ${f(m('spanbeam', 'evalMs'))} ms + start() ${f(m('spanbeam', 'startMs'))} ms = ${f(m('spanbeam', 'totalMs'))} ms   (target ≤ 5 ms)`);
console.log(`                 then, when the page is first idle: ${f(m('spanbeam', 'deferredMs'))} ms (web vitals, long frames, exporter, page-load spans)`);
console.log(`  OpenTelemetry  evaluate bundle ${f(m('otel', 'evalMs'))} ms + start ${f(m('otel', 'startMs'))} ms = ${f(m('otel', 'totalMs'))} ms   (no zone.js, like for like)`);
console.log(`  OpenTelemetry with zone.js and its ZoneContextManager: ${f(m('otel-zone', 'totalMs'))} ms   (the anchors' ~53 ms)`);
console.log(`  Elastic RUM    evaluate bundle ${f(m('elastic', 'evalMs'))} ms + init ${f(m('elastic', 'startMs'))} ms = ${f(m('elastic', 'totalMs'))} ms   (the anchors' ~12 ms)`);
console.log(`  ratio Spanbeam/OpenTelemetry (no zone.js): ${(m('spanbeam', 'totalMs') / m('otel', 'totalMs')).toFixed(3)}`);
console.log(`  ratio Spanbeam/Elastic RUM: ${(m('spanbeam', 'totalMs') / m('elastic', 'totalMs')).toFixed(3)}`);
const t = (sdk, k) => median(tag[sdk].map((x) => x[k]));
console.log(`as a <script src> tag on a first visit (compiled off the main thread while downloading; main-thread time, median of ${RUNS}):`);
for (const [sdk, name] of [['spanbeam', 'Spanbeam'], ['otel', 'OpenTelemetry'], ['otel-zone', 'OTel + zone.js'], ['elastic', 'Elastic RUM']])
  console.log(`  ${name.padEnd(14)} evaluate ${f(t(sdk, 'evalMs'))} ms + start ${f(t(sdk, 'startMs'))} ms = ${f(t(sdk, 'totalMs'))} ms`);
console.log(`  ratio Spanbeam/OpenTelemetry (no zone.js): ${(t('spanbeam', 'totalMs') / t('otel', 'totalMs')).toFixed(3)}`);
console.log(`  ratio Spanbeam/Elastic RUM: ${(t('spanbeam', 'totalMs') / t('elastic', 'totalMs')).toFixed(3)}`);
