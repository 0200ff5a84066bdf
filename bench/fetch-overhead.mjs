// Added time per fetch() call: 1000 sequential fetches to a local endpoint through Spanbeam's and
// OpenTelemetry's fetch instrumentation, each alternating call by call with 1000 through the
// original fetch in the same page (per-call medians), several rounds with the SDKs interleaved,
// median and interquartile range over the rounds. Chromium is started directly (no DevTools
// protocol session, so no Network domain inflating every fetch); each page reports with a beacon.
// "header only" (bench/pages/fetch-header-entry.ts) adds a fixed traceparent with no SDK: the
// floor any tracing SDK pays. BASELINE=path/to/entry.ts[,more.ts] adds bundles (e.g. an older
// Spanbeam) to the same run.
// "mean" is the median over rounds of the per-page mean difference: it includes what medians hide
// (garbage collection, batched work on timers).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { bundle, serve, median, ROOT } from './lib.mjs';
import { findChromium, CHROMIUM_ARGS } from '../scripts/browser.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const N = Number(process.env.N ?? 1000);

await bundle('bench/pages/fetch-spanbeam-entry.ts', 'fetch-spanbeam');
await bundle('bench/pages/fetch-otel-entry.ts', 'fetch-otel');
// The floor any SDK pays: no SDK, a fixed `traceparent` added to each call.
await bundle('bench/pages/fetch-header-entry.ts', 'fetch-floor');
const baselines = (process.env.BASELINE ?? '').split(',').filter(Boolean);
const baseName = (i) => (baselines.length > 1 ? `baseline${i + 1}` : 'baseline');
for (const [i, b] of baselines.entries()) await bundle(b, `fetch-${baseName(i)}`);

let waiting;
let injected = 0;
const page = readFileSync(join(ROOT, 'bench/pages/fetch-overhead.html'));
const server = await serve({
  // Cross-origin isolated: performance.now() at 5 µs instead of 100 µs.
  '/bench/pages/fetch-overhead.html': (_q, res) =>
    res.writeHead(200, { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }).end(page),
  // Same-origin, as a real app's API calls: both SDKs add `traceparent` to the instrumented calls
  // (counted here, so a run where either stopped injecting shows it).
  '/ping': (req, res) => {
    if (req.headers.traceparent) injected++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('pong');
  },
  '/result': (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.writeHead(204).end();
      waiting?.(JSON.parse(body));
    });
  },
});

const exe = findChromium() ?? chromium.executablePath();
async function run(sdk) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const result = new Promise((ok) => (waiting = ok));
  const p = spawn(exe, [...CHROMIUM_ARGS, '--headless=new', `--user-data-dir=${dir}`, `${server.origin}/bench/pages/fetch-overhead.html?sdk=${sdk}&n=${N}`], { stdio: 'ignore' });
  const timeout = new Promise((_, fail) => setTimeout(() => fail(new Error(`${sdk}: no result`)), 120_000));
  try {
    return await Promise.race([result, timeout]);
  } finally {
    p.kill();
    await new Promise((ok) => p.once('exit', ok));
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      /* a Chromium helper may still be exiting */
    }
  }
}

const added = { spanbeam: [], floor: [], otel: [], ...Object.fromEntries(baselines.map((b, i) => [baseName(i), []])) };
const addedMean = {};
const headers = {};
const base = [];
for (let r = 0; r < ROUNDS; r++)
  for (const sdk of Object.keys(added)) {
    injected = 0;
    const x = await run(sdk);
    added[sdk].push(x.instUs - x.origUs);
    (addedMean[sdk] ??= []).push(x.instMeanUs - x.origMeanUs);
    headers[sdk] = Math.min(headers[sdk] ?? Infinity, injected);
    base.push(x.origUs);
  }
await server.close();

const quart = (xs, f) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = f * (s.length - 1);
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};
const fmt = (xs) => xs.map((t) => t.toFixed(0)).join(', ');
const line = (name, xs, sdk) =>
  `  ${name.padEnd(15)} +${median(xs).toFixed(1)} µs   IQR ${quart(xs, 0.25).toFixed(0)}…${quart(xs, 0.75).toFixed(0)}   (rounds: ${fmt(xs)})   mean +${median(addedMean[sdk]).toFixed(0)} µs`;
const sb = median(added.spanbeam);
const ot = median(added.otel);
console.log(`fetch() + text() per call, ${ROUNDS} rounds × ${N} instrumented calls alternating with ${N} uninstrumented ones (per-call medians):`);
console.log(`  uninstrumented  ${median(base).toFixed(1)} µs (median)`);
console.log(line('Spanbeam', added.spanbeam, 'spanbeam'));
console.log(line('header only', added.floor, 'floor') + '   (no SDK: a fixed traceparent header, the floor)');
for (const [i, b] of baselines.entries()) console.log(line(baseName(i), added[baseName(i)], baseName(i)) + `   ${b}`);
console.log(line('OpenTelemetry', added.otel, 'otel'));
console.log(`  calls carrying traceparent per page (fewest in a round): ${Object.entries(headers).map(([k, v]) => `${k} ${v}`).join(', ')} of ${N + 25} instrumented`);
for (const [k, v] of Object.entries(headers)) if (v < N) console.log(`  WARNING: ${k} did not inject trace headers into every instrumented call`);
console.log(`  ratio Spanbeam/OpenTelemetry added time: ${(sb / ot).toFixed(3)} (targets: ≤ 0.125, Spanbeam ≤ 100 µs); header alone / OpenTelemetry: ${(median(added.floor) / ot).toFixed(3)}`);
