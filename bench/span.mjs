// ns per span (start, 5 mixed attributes, end, a processor that discards) and retained heap per
// ended, unexported span: Spanbeam vs the OpenTelemetry web SDK, side by side in one page run.
import { bundle, launch, median, serve } from './lib.mjs';

const builds = [
  ['spanbeam', await bundle('bench/span/spanbeam-entry.ts', 'span-spanbeam')],
  ['otel-es2022', await bundle('bench/span/otel-entry.ts', 'span-otel-es2022')],
  ['otel-es2020', await bundle('bench/span/otel-entry.ts', 'span-otel-es2020', { target: 'es2020' })],
];

const server = await serve({
  '/span.html': (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>span bench</title>'),
});
const browser = await launch(['--js-flags=--expose-gc']);
const page = await browser.newPage();
await page.goto(`${server.origin}/span.html`);
await page.evaluate(async (list) => {
  window.impls = {};
  for (const [name, url] of list) window.impls[name] = await import(url);
}, builds);

const N = 20000;
const ROUNDS = 15;
const times = Object.fromEntries(builds.map(([n]) => [n, []]));
for (const [name] of builds) await page.evaluate(([n, c]) => window.impls[n].run(c), [name, 50000]); // warm up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name] of builds) {
    const ms = await page.evaluate(([n, c]) => {
      gc();
      const t0 = performance.now();
      window.impls[n].run(c);
      return performance.now() - t0;
    }, [name, N]);
    times[name].push((ms * 1e6) / N);
  }
}

const HEAP_N = 50000;
const heap = {};
for (const [name] of builds) {
  heap[name] = await page.evaluate(([n, c]) => {
    const impl = window.impls[n];
    impl.retain(true);
    gc(); gc();
    const before = performance.memory.usedJSHeapSize;
    impl.run(c);
    gc(); gc();
    const after = performance.memory.usedJSHeapSize;
    impl.retain(false);
    return (after - before) / c;
  }, [name, HEAP_N]);
}
await browser.close();
await server.close();

const ns = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
console.log(`\nSpan creation (median of ${ROUNDS} rounds × ${N} spans; 5 attributes; headless Chromium)`);
for (const [name] of builds) console.log(`  ${name.padEnd(12)} ${ns[name].toFixed(0).padStart(6)} ns/span   ${heap[name].toFixed(0).padStart(5)} B retained/span`);
console.log(`  ratio time  spanbeam / otel-es2020 = ${(ns.spanbeam / ns['otel-es2020']).toFixed(3)}×   (target ≤ 0.25×)`);
console.log(`  ratio time  spanbeam / otel-es2022 = ${(ns.spanbeam / ns['otel-es2022']).toFixed(3)}×`);
console.log(`  ratio heap  spanbeam / otel-es2020 = ${(heap.spanbeam / heap['otel-es2020']).toFixed(3)}×   (target ≤ 0.45×; ~560 B in ANCHORS.md)`);
console.log(`  ratio heap  spanbeam / otel-es2022 = ${(heap.spanbeam / heap['otel-es2022']).toFixed(3)}×`);
