// Script evaluation to ready with every instrumentation on: the production IIFE (built and
// minified as dist/spanbeam.iife.js is, no dev warnings) evaluated from text, then start();
// median over fresh pages; what start() defers to idle callbacks is reported next to it.
import { build } from 'vite';
import { minifyProd } from '../scripts/minify.mjs';
import { writeFileSync, mkdirSync } from 'node:fs';
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
writeFileSync(join(ROOT, 'bench/.build/startup-iife.js'), code);

const server = await serve({ '/v1/traces': (_q, res) => res.writeHead(200).end('{}') });
const browser = await launch();
const rows = [];
for (let i = 0; i < RUNS; i++) {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/bench/pages/startup.html`);
  rows.push(await page.waitForFunction(() => window.__result).then((h) => h.jsonValue()));
  await page.close();
}
await browser.close();
await server.close();
const m = (k) => median(rows.map((x) => x[k])).toFixed(2);
console.log(`script evaluation to ready (median of ${RUNS} fresh pages, every instrumentation on):`);
console.log(`  evaluate bundle ${m('evalMs')} ms + start() ${m('startMs')} ms = ${m('totalMs')} ms   (target ≤ 5 ms; Elastic ~12, OpenTelemetry ~53)`);
console.log(`  then, when the page is first idle: ${m('deferredMs')} ms (web vitals, long frames, exporter, page-load spans)`);
