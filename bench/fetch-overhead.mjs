// Added time per fetch() call: 1000 sequential fetches to a local endpoint through Spanbeam's and
// OpenTelemetry's fetch instrumentation, each interleaved (blocks of 50) with 1000 through the
// original fetch in the same page, several rounds, medians. Chromium is started directly (no DevTools protocol session, so no Network domain
// inflating every fetch); each page reports its result with a beacon.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { bundle, serve, median } from './lib.mjs';
import { findChromium, CHROMIUM_ARGS } from '../scripts/browser.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const N = Number(process.env.N ?? 1000);

await bundle('bench/pages/fetch-spanbeam-entry.ts', 'fetch-spanbeam');
await bundle('bench/pages/fetch-otel-entry.ts', 'fetch-otel');

let waiting;
const server = await serve({
  '/ping': (_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('pong'),
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

const added = { spanbeam: [], otel: [] };
const base = [];
for (let r = 0; r < ROUNDS; r++)
  for (const sdk of Object.keys(added)) {
    const x = await run(sdk);
    added[sdk].push(x.instUs - x.origUs);
    base.push(x.origUs);
  }
await server.close();

const sb = median(added.spanbeam);
const ot = median(added.otel);
const fmt = (xs) => xs.map((t) => t.toFixed(0)).join(', ');
console.log(`fetch() + text() per call, ${ROUNDS} rounds × ${N} instrumented calls interleaved with ${N} uninstrumented ones:`);
console.log(`  uninstrumented  ${median(base).toFixed(1)} µs (median)`);
console.log(`  Spanbeam        +${sb.toFixed(1)} µs   (rounds: ${fmt(added.spanbeam)})`);
console.log(`  OpenTelemetry   +${ot.toFixed(1)} µs   (rounds: ${fmt(added.otel)})`);
console.log(`  ratio Spanbeam/OpenTelemetry added time: ${(sb / ot).toFixed(3)} (targets: ≤ 0.125, Spanbeam ≤ 100 µs)`);
