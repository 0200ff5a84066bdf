#!/usr/bin/env node
/**
 * Viewer at scale, after the trace is open (load time and pan/zoom frames are viewer-render's):
 * search while typing and stepping, insights, flame graph, waterfall (virtualised rows, scroll, collapse of a
 * 50k-span subtree, keys), details of big slices, "Flows: all", and heap across views and loads.
 * Long tasks come from a 'longtask' PerformanceObserver in the page, heap from CDP after a GC.
 *
 *   node bench/viewer-scale.mjs [--only=chrome-1m,otlp,flows,memory]
 * Traces are generated into $SPANBEAM_BENCH_DIR (default a temp dir) on first use.
 */
import { createServer } from 'node:http';
import { createReadStream, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { build } from 'vite';
import { chromium } from '@playwright/test';
import { launchOptions } from '../scripts/browser.mjs';
import { generateChromeTrace } from './gen-chrome-trace.mjs';
import { chromeFlows, otlpTrace } from './gen-scale-traces.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (k) => !only || only.includes(k);
const work = process.env.SPANBEAM_BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'spanbeam-scale-'));
const OUT = join(ROOT, 'bench/.build/viewer-scale');

for (const [entry, file] of [
  ['src/viewer/index.ts', 'viewer.js'],
  ['src/viewer/import/worker.ts', 'viewer-worker.js'],
]) {
  const worker = file === 'viewer-worker.js';
  await build({
    configFile: false, logLevel: 'warn', root: ROOT, define: { __SPANBEAM_DEV__: 'false' },
    build: { outDir: OUT, emptyOutDir: false, target: 'es2022', minify: true, lib: { entry: resolve(ROOT, entry), formats: [worker ? 'iife' : 'es'], name: 'spanbeamImportWorker', fileName: () => file }, ...(worker ? { rolldownOptions: { output: { strict: true } } } : {}) },
  });
}
const traces = {
  'chrome-100k': () => generateChromeTrace(join(work, 'chrome-100k.json'), 1e5),
  'chrome-1m': () => generateChromeTrace(join(work, 'chrome-1m.json'), 1e6),
  'otlp-100k': () => writeFileSync(join(work, 'otlp-100k.json'), otlpTrace().text),
  'flows-100k': () => writeFileSync(join(work, 'flows-100k.json'), chromeFlows(1e5)),
};
for (const [name, gen] of Object.entries(traces)) if (!existsSync(join(work, `${name}.json`))) await gen();

const PAGE = `<!doctype html><meta charset="utf-8"><style>html,body{margin:0;height:100%}spanbeam-viewer{height:100vh}</style>
<spanbeam-viewer></spanbeam-viewer><script type="module">
import '/bench/.build/viewer-scale/viewer.js';
const lt = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) lt.push({ start: e.startTime, ms: e.duration }); }).observe({ type: 'longtask' });
const frame = () => new Promise((r) => requestAnimationFrame(r));
window.__s = {
  lt,
  v: document.querySelector('spanbeam-viewer'),
  async settle() { await frame(); await frame(); await new Promise((r) => setTimeout(r, 50)); },
  /** Runs fn, waits for the page to settle; wall time and the long tasks in between. */
  async measure(fn) {
    const from = performance.now();
    await fn();
    await this.settle();
    const tasks = lt.filter((t) => t.start + t.ms >= from).map((t) => Math.round(t.ms));
    return { ms: Math.round(performance.now() - from), longTasks: tasks.length, maxLongTask: tasks.length ? Math.max(...tasks) : 0 };
  },
};
await customElements.whenDefined('spanbeam-viewer');
window.__ready = true;
</script>`;
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' };
const server = createServer((req, res) => {
  const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
  if (rel === 'scale.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  const file = rel.startsWith('traces/') ? join(work, rel.slice(7)) : join(ROOT, rel);
  if (rel.includes('..') || !(rel.startsWith('traces/') || rel.startsWith('bench/.build/')) || !existsSync(file) || statSync(file).isDirectory()) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch(launchOptions({ args: ['--window-size=1400,900'] }));
const out = (label, r) => console.log(`${label}: ${typeof r === 'string' ? r : JSON.stringify(r)}`);

async function openTrace(name) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${origin}/scale.html`);
  await page.waitForFunction(() => window.__ready, null, { timeout: 30_000 });
  await page.evaluate((src) => window.__s.v.load(src).then(() => undefined), `/traces/${name}.json`);
  await page.evaluate(() => window.__s.settle());
  const cdp = await page.context().newCDPSession(page);
  return { page, cdp };
}
async function heap(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const u = await cdp.send('Runtime.getHeapUsage');
  // Typed arrays (the model's columns) live outside the JS heap: backingStorageSize counts them.
  return `${Math.round(u.usedSize / 1e6)} JS + ${Math.round((u.backingStorageSize ?? NaN) / 1e6)} array buffers`;
}
const measure = (page, fn, arg) => page.evaluate(([f, a]) => window.__s.measure(() => new Function('s', 'a', `return (${f})(s, a)`)(window.__s, a)), [fn.toString(), arg]);
const tab = (page, v) => measure(page, (s, v) => { s.v.shadowRoot.querySelector(`button.tab-${v}`).click(); return s.v.updateComplete; }, v);

/** Typing a query into the box: one key every 80 ms, then until the match count shows. */
async function typeQuery(page, q) {
  return page.evaluate(async (q) => {
    const s = window.__s;
    const input = s.v.shadowRoot.querySelector('input[type=search]');
    input.focus();
    input.value = '';
    const from = performance.now();
    for (const ch of q) {
      input.value += ch;
      input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      await new Promise((r) => setTimeout(r, 80));
    }
    const typed = performance.now();
    const count = () => s.v.shadowRoot.querySelector('.count')?.textContent ?? '';
    const done = () => (s.v.shadowRoot.querySelector('#summary')?.textContent ?? '').includes(`matches for ${q}.`);
    while (!done() && performance.now() - typed < 120_000) await new Promise((r) => setTimeout(r, 5));
    await s.settle();
    const tasks = s.lt.filter((t) => t.start + t.ms >= from).map((t) => Math.round(t.ms));
    return { count: count(), resultsAfterLastKeyMs: Math.round(performance.now() - typed), longTasks: tasks.length, maxLongTask: tasks.length ? Math.max(...tasks) : 0 };
  }, q);
}

async function chromeScenarios(name) {
  const { page, cdp } = await openTrace(name);
  out(`${name} heap after open`, String(await heap(cdp)));
  out(`${name} search typed 'RunTask'`, await typeQuery(page, 'RunTask'));
  out(`${name} search typed '4242' (arg values only)`, await typeQuery(page, '4242'));
  out(`${name} search() 'a' (matches most)`, await measure(page, (s) => { s.v.search('a'); }));
  out(`${name} Enter x20 in search box`, await measure(page, async (s) => {
    const input = s.v.shadowRoot.querySelector('input[type=search]');
    for (let i = 0; i < 20; i++) { input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true })); await new Promise((r) => requestAnimationFrame(r)); }
  }));
  out(`${name} Shift+Enter x20`, await measure(page, async (s) => {
    const input = s.v.shadowRoot.querySelector('input[type=search]');
    for (let i = 0; i < 20; i++) { input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true, composed: true })); await new Promise((r) => requestAnimationFrame(r)); }
  }));
  await page.evaluate(() => window.__s.v.search(''));
  out(`${name} insights first`, await tab(page, 'insights'));
  out(`${name} timeline`, await tab(page, 'timeline'));
  out(`${name} insights again`, await tab(page, 'insights'));
  // Recomputing the insights (cache dropped, as a new measured range or selected tree does), for
  // the whole trace and for a measured range of its middle half: median and worst of 5 tasks.
  for (const range of [false, true]) {
    out(`${name} insights recomputed x5, ${range ? 'measured range' : 'whole trace'}`, await page.evaluate(async (range) => {
      const s = window.__s; const m = s.v.model; const ms = [];
      const r = range ? [m.startNs + (m.endNs - m.startNs) / 4, m.endNs - (m.endNs - m.startNs) / 4] : null;
      for (let k = 0; k < 5; k++) {
        s.v.timeline.cb.onMeasure(r); // drops the cache
        const t = performance.now(); s.v.requestUpdate(); await s.v.updateComplete; ms.push(performance.now() - t);
        await s.settle();
      }
      s.v.timeline.cb.onMeasure(null); s.v.requestUpdate(); await s.v.updateComplete;
      ms.sort((a, b) => a - b);
      return { medianMs: Math.round(ms[2]), maxMs: Math.round(ms[4]) };
    }, range));
  }
  out(`${name} insights: click the first row of time by name`, await measure(page, async (s) => { s.v.shadowRoot.querySelector('table.by-name tbody tr button')?.click(); await s.v.updateComplete; }));
  out(`${name} insights: click a top-duration entry`, await measure(page, async (s) => { s.v.shadowRoot.querySelector('ol.bottlenecks-duration li:nth-child(3) button').click(); await s.v.updateComplete; }));
  out(`${name} insights: click a top-self entry`, await measure(page, async (s) => { s.v.shadowRoot.querySelector('ol.bottlenecks-self li:nth-child(5) button').click(); await s.v.updateComplete; }));
  out(`${name} waterfall`, await tab(page, 'waterfall'));
  out(`${name} waterfall DOM nodes in viewer`, String(await page.evaluate(() => window.__s.v.shadowRoot.querySelectorAll('*').length)));
  // The flame graph: merged in short tasks until it shows, then cached for the next showing.
  out(`${name} flame graph first (merge)`, await measure(page, async (s) => {
    s.v.shadowRoot.querySelector('button.tab-flame').click();
    while (!s.v._flame) await new Promise((r) => setTimeout(r, 10));
  }));
  out(`${name} timeline`, await tab(page, 'timeline'));
  out(`${name} flame graph again (cached)`, await tab(page, 'flame'));
  out(`${name} timeline`, await tab(page, 'timeline'));
  // Select the slice with the most children.
  out(`${name} select biggest parent`, await measure(page, (s) => {
    const m = s.v.model; const c = new Uint32Array(m.slices.count);
    for (let i = 0; i < m.slices.count; i++) if (m.slices.parent[i] >= 0) c[m.slices.parent[i]]++;
    let best = 0; for (let i = 1; i < c.length; i++) if (c[i] > c[best]) best = i;
    s.v.selection = best;
    return s.v.updateComplete;
  }));
  for (let k = 0; k < 3; k++) for (const v of ['insights', 'waterfall', 'timeline']) await tab(page, v);
  out(`${name} heap after switching views x3`, String(await heap(cdp)));
  await page.evaluate(() => window.__s.v.load('/traces/chrome-100k.json').then(() => undefined));
  await page.evaluate(() => window.__s.settle());
  out(`${name} heap after loading chrome-100k instead`, String(await heap(cdp)));
  await page.evaluate(() => window.__s.v.clear());
  await page.evaluate(() => window.__s.settle());
  out(`${name} heap after clear()`, String(await heap(cdp)));
  await page.close();
}

async function otlpScenarios() {
  const name = 'otlp-100k';
  const { page, cdp } = await openTrace(name);
  out(`${name} heap after open`, String(await heap(cdp)));
  out(`${name} waterfall first`, await tab(page, 'waterfall'));
  const dom = () => page.evaluate(() => ({ viewer: window.__s.v.shadowRoot.querySelectorAll('*').length, rows: window.__s.v.shadowRoot.querySelectorAll('.wf-row').length }));
  out(`${name} waterfall DOM`, await dom());
  out(`${name} waterfall scroll 120 frames`, await page.evaluate(async () => {
    const s = window.__s; const body = s.v.shadowRoot.querySelector('.wf-body');
    const stamps = []; const from = performance.now();
    for (let i = 0; i < 120; i++) { body.scrollTop += 400 + i * 300; await new Promise((r) => requestAnimationFrame(r)); stamps.push(performance.now()); }
    const iv = stamps.slice(1).map((t, i) => t - stamps[i]).sort((a, b) => a - b);
    const tasks = s.lt.filter((t) => t.start + t.ms >= from).map((t) => Math.round(t.ms));
    return { p50: Math.round(iv[iv.length >> 1]), p95: Math.round(iv[Math.floor(iv.length * 0.95)]), max: Math.round(iv[iv.length - 1]), longTasks: tasks.length, maxLongTask: Math.max(0, ...tasks), rows: s.v.shadowRoot.querySelectorAll('.wf-row').length, scrollTop: body.scrollTop };
  }));
  await page.evaluate(() => { window.__s.v.shadowRoot.querySelector('.wf-body').scrollTop = 0; });
  await page.evaluate(() => window.__s.settle());
  const twisty = (label) => measure(page, async (s, label) => {
    const row = [...s.v.shadowRoot.querySelectorAll('.wf-row')].find((r) => r.querySelector('.nm').textContent === label);
    row.querySelector('button.twisty').click();
    await s.v.updateComplete;
  }, label);
  out(`${name} collapse 'batch A' (50k descendants)`, await twisty('batch A'));
  out(`${name} waterfall DOM after collapse`, await dom());
  out(`${name} expand 'batch A'`, await twisty('batch A'));
  // Keyboard: focus the first row, ArrowDown 60 times (beyond the rendered rows).
  out(`${name} ArrowDown x60 from the first row`, await measure(page, async (s) => {
    s.v.shadowRoot.querySelector('.wf-row').focus();
    for (let i = 0; i < 60; i++) {
      (s.v.shadowRoot.activeElement ?? s.v.shadowRoot.querySelector('.wf-row')).dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, composed: true }));
      await s.v.updateComplete; await new Promise((r) => requestAnimationFrame(r));
    }
  }));
  out(`${name} after ArrowDown: focus, selection, scrollTop`, await page.evaluate(() => {
    const s = window.__s; const a = s.v.shadowRoot.activeElement;
    return { focused: a?.className ?? String(a), focusedSlice: a?.dataset?.slice, selection: s.v.selection, scrollTop: s.v.shadowRoot.querySelector('.wf-body').scrollTop };
  }));
  out(`${name} select 'huge attributes' (10k args)`, await measure(page, (s) => {
    const m = s.v.model; const id = m.strings.indexOf('huge attributes');
    for (let i = 0; i < m.slices.count; i++) if (m.slices.name[i] === id) s.v.selection = i;
    return s.v.updateComplete;
  }));
  out(`${name} details DOM nodes (10k args)`, String(await page.evaluate(() => window.__s.v.shadowRoot.querySelector('.details').querySelectorAll('*').length)));
  out(`${name} select 'big string' (1 MB value)`, await measure(page, (s) => {
    const m = s.v.model; const id = m.strings.indexOf('big string');
    for (let i = 0; i < m.slices.count; i++) if (m.slices.name[i] === id) s.v.selection = i;
    return s.v.updateComplete;
  }));
  out(`${name} details text length (1 MB value)`, String(await page.evaluate(() => window.__s.v.shadowRoot.querySelector('.details').textContent.length)));
  out(`${name} select 'batch B' (1000 children)`, await measure(page, (s) => {
    const m = s.v.model; const id = m.strings.indexOf('batch B');
    for (let i = 0; i < m.slices.count; i++) if (m.slices.name[i] === id) s.v.selection = i;
    return s.v.updateComplete;
  }));
  out(`${name} insights`, await tab(page, 'insights'));
  out(`${name} search typed 'SELECT'`, await typeQuery(page, 'SELECT'));
  out(`${name} heap after all`, String(await heap(cdp)));
  await page.close();
}

async function flowScenarios() {
  const name = 'flows-100k';
  const { page } = await openTrace(name);
  const frames = (mode) => page.evaluate(async (mode) => {
    const s = window.__s; s.v.flows = mode; await s.v.updateComplete;
    const el = s.v.shadowRoot.querySelector('.timeline'); const r = el.getBoundingClientRect();
    const stamps = []; const paints = []; const from = performance.now();
    for (let i = 0; i < 40; i++) {
      el.dispatchEvent(new WheelEvent('wheel', { deltaY: i < 20 ? -120 : 120, clientX: r.left + r.width * 0.6, clientY: r.top + 200, bubbles: true, cancelable: true }));
      await new Promise((res) => requestAnimationFrame(res)); stamps.push(performance.now()); paints.push(s.v.stats.lastPaintMs);
    }
    const iv = stamps.slice(1).map((t, i) => t - stamps[i]).sort((a, b) => a - b);
    paints.sort((a, b) => a - b);
    const tasks = s.lt.filter((t) => t.start + t.ms >= from).map((t) => Math.round(t.ms));
    return { frameP50: Math.round(iv[iv.length >> 1]), frameMax: Math.round(iv[iv.length - 1]), paintP50: +paints[paints.length >> 1].toFixed(1), paintMax: +paints[paints.length - 1].toFixed(1), longTasks: tasks.length };
  }, mode);
  out(`${name} wheel zoom, flows none`, await frames('none'));
  out(`${name} wheel zoom, flows all`, await frames('all'));
  out(`${name} wheel zoom, flows selection (with a selected slice)`, await (async () => { await page.evaluate(() => { window.__s.v.selection = 5; }); return frames('selection'); })());
  await page.close();
}

try {
  if (want('chrome-100k')) await chromeScenarios('chrome-100k');
  if (want('chrome-1m')) await chromeScenarios('chrome-1m');
  if (want('otlp')) await otlpScenarios();
  if (want('flows')) await flowScenarios();
} finally {
  await browser.close();
  server.close();
}
