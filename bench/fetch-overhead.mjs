// Added time per fetch() call: sequential fetch + text() to a local endpoint through Spanbeam's and
// OpenTelemetry's fetch instrumentation, in one Chromium started directly (no DevTools protocol
// session, so no Network domain inflating every fetch), each measurement in a fresh frame (a new
// realm; bench/pages/fetch-overhead.html). Two ways, both reported:
// - whole frames: frames with an SDK against frames with none, 600 calls each (21 rounds). This counts the
//   SDK's background work (OpenTelemetry keeps a PerformanceObserver and a 300 ms timer per call),
//   but the machine drifts by a few hundred µs per call between frames, so it is noisy.
// - alternating: instrumented and bare calls alternate in one frame. Precise, but background work
//   lands on both sides and cancels out: OpenTelemetry showed +270 µs this way and +450–750 µs as
//   whole frames.
// "header only" (bench/pages/fetch-header-entry.ts) adds a fixed traceparent with no SDK: the
// floor any tracing SDK pays. BASELINE=path/to/entry.ts[,more.ts] adds bundles (e.g. an older
// Spanbeam) to the same run. "mean" is the median over rounds of the per-frame mean difference: it
// includes what medians hide (garbage collection, batched work on timers).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { bundle, serve, median, ROOT } from './lib.mjs';
import { findChromium, CHROMIUM_ARGS } from '../scripts/browser.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 21);
const ALT_ROUNDS = Number(process.env.ALT_ROUNDS ?? 5);
const N = Number(process.env.N ?? 600);

await bundle('bench/pages/fetch-spanbeam-entry.ts', 'fetch-spanbeam');
await bundle('bench/pages/fetch-otel-entry.ts', 'fetch-otel');
// The floor any SDK pays: no SDK, a fixed `traceparent` added to each call.
await bundle('bench/pages/fetch-header-entry.ts', 'fetch-floor');
const baselines = (process.env.BASELINE ?? '').split(',').filter(Boolean);
const baseName = (i) => (baselines.length > 1 ? `baseline${i + 1}` : 'baseline');
for (const [i, b] of baselines.entries()) await bundle(b, `fetch-${baseName(i)}`);

let waiting;
const injected = {};
const page = readFileSync(join(ROOT, 'bench/pages/fetch-overhead.html'));
const server = await serve({
  // Cross-origin isolated: performance.now() at 5 µs instead of 100 µs.
  '/bench/pages/fetch-overhead.html': (_q, res) =>
    res.writeHead(200, { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }).end(page),
  // Same-origin, as a real app's API calls: both SDKs add `traceparent` to the instrumented calls
  // (counted here, so a run where either stopped injecting shows it).
  '/ping': (req, res) => {
    const sdk = req.url.split('?')[1];
    if (req.headers.traceparent) injected[sdk] = (injected[sdk] ?? 0) + 1;
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
async function run(plan) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const result = new Promise((ok) => (waiting = ok));
  const p = spawn(exe, [...CHROMIUM_ARGS, '--headless=new', `--user-data-dir=${dir}`, `${server.origin}/bench/pages/fetch-overhead.html?plan=${plan}&n=${N}`], { stdio: ['ignore', 'ignore', process.env.CHROME_LOG ? 'inherit' : 'ignore'] });
  const exited = new Promise((ok) => p.once('exit', (code, signal) => ok(code ?? signal)));
  const died = exited.then((why) => Promise.reject(new Error(`Chromium exited (${why}) before the results came`)));
  let timer;
  const timeout = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error('no result')), 60_000 * plan.split(',').length)));
  try {
    return await Promise.race([result, died, timeout]);
  } finally {
    clearTimeout(timer);
    p.kill();
    await exited;
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      /* a Chromium helper may still be exiting */
    }
  }
}

// One browser, one fresh frame after another, in two parts:
// - alternating: per SDK a frame whose instrumented and bare calls alternate (ALT_ROUNDS rounds);
// - whole frames: each round a bare frame, then every SDK's frame (the order rotating round by
//   round); one more bare frame at the end. An SDK frame's added time is its per-call median minus
//   the mean of the bare frames either side of its round.
const sdks = ['spanbeam', 'floor', 'otel', ...baselines.map((_b, i) => baseName(i))];
const rotate = (r) => sdks.map((_s, k) => sdks[(k + r) % sdks.length]);
const plan = [];
for (let r = 0; r < ALT_ROUNDS; r++) plan.push(...rotate(r).map((s) => `${s}:alternate`));
for (let r = 0; r < ROUNDS; r++) plan.push('none', ...rotate(r));
plan.push('none');
const results = await run(plan.join(','));
await server.close();

const series = () => Object.fromEntries(sdks.map((k) => [k, { median: [], mean: [] }]));
const alt = series();
const whole = series();
const bare = results.filter((x) => x.sdk === 'none');
let r = -1;
for (const x of results) {
  if (x.alternate) {
    alt[x.sdk].median.push(x.median - x.bareMedian);
    alt[x.sdk].mean.push(x.mean - x.bareMean);
  } else if (x.sdk === 'none') r++;
  else {
    whole[x.sdk].median.push(x.median - (bare[r].median + bare[r + 1].median) / 2);
    whole[x.sdk].mean.push(x.mean - (bare[r].mean + bare[r + 1].mean) / 2);
  }
}
const calls = (ALT_ROUNDS * (N + 25) + ROUNDS * (N + 200));

const quart = (xs, f) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = f * (s.length - 1);
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};
const fmt = (xs) => xs.map((t) => t.toFixed(0)).join(', ');
const line = (name, x, note = '') =>
  `    ${name.padEnd(15)} +${median(x.median).toFixed(1)} µs   IQR ${quart(x.median, 0.25).toFixed(0)}…${quart(x.median, 0.75).toFixed(0)}   (rounds: ${fmt(x.median)})   mean +${median(x.mean).toFixed(0)} µs${note}`;
const report = (title, set) => {
  console.log(title);
  console.log(line('Spanbeam', set.spanbeam));
  console.log(line('header only', set.floor, '   (no SDK: a fixed traceparent header, the floor)'));
  for (const [i, b] of baselines.entries()) console.log(line(baseName(i), set[baseName(i)], `   ${b}`));
  console.log(line('OpenTelemetry', set.otel));
  const ot = median(set.otel.median);
  console.log(`    ratio Spanbeam/OpenTelemetry: ${(median(set.spanbeam.median) / ot).toFixed(3)}; header only/OpenTelemetry: ${(median(set.floor.median) / ot).toFixed(3)}`);
};
console.log(`fetch() + text() per call to a local endpoint (per-call medians; targets: Spanbeam ≤ 100 µs and ≤ 0.125× OpenTelemetry):`);
console.log(`  bare call ${median(bare.map((x) => x.median)).toFixed(1)} µs (median)`);
report(`  whole frames, ${ROUNDS} rounds of ${N} calls a frame, each SDK frame against the bare frames beside it (counts background work; noisy):`, whole);
report(`  alternating, ${ALT_ROUNDS} rounds of ${N} instrumented calls alternating with ${N} bare ones in one frame (precise; the SDK's background work slows both sides):`, alt);
for (const k of sdks) if ((injected[k] ?? 0) < calls) console.log(`  WARNING: ${k} did not inject trace headers into every instrumented call (${injected[k] ?? 0} of ${calls})`);
if (injected.none) console.log(`  WARNING: ${injected.none} calls from frames without an SDK carried traceparent`);
