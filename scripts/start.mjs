// `npm start`: installs dependencies when missing, builds, then runs the whole demo stack, each
// service its own process: the local OTLP receiver, the shop backend, the internal inventory
// service, the shop web app and the trace viewer page (both Vite). Prints their URLs; Ctrl-C
// stops everything.
//
// Environment: HOST (default 127.0.0.1); APP_PORT (or PORT) 5173, VIEWER_PORT 5174, API_PORT 5175,
// INVENTORY_PORT 5176, RECEIVER_PORT 4318; SPANBEAM_DATA_DIR (default demo/data);
// RECEIVER_ALLOWED_ORIGINS (pages of your own that may export to the local receiver);
// OTLP_ENDPOINT to export to a Collector instead of the local receiver; DEMO_FAILURE_RATE (0.3),
// DEMO_SLOW_MS (800); SPANBEAM_SKIP_BUILD=1 skips install and build (dist/ must exist).
//
// No orphans: each service runs in its own process group, which is signalled as a whole, and
// watches its IPC channel to us, so it exits even when this process is killed with SIGKILL.
import { execFileSync, execSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { demoConfig } from '../demo/config.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const log = (/** @type {string} */ msg) => console.log(`[spanbeam] ${msg}`);

/** @type {import('../demo/config.mjs').DemoConfig} */
let config;
try {
  config = demoConfig();
} catch (err) {
  console.error(`[spanbeam] ${/** @type {Error} */ (err).message}`);
  process.exit(2);
}

const SERVICES = [
  { name: 'receiver', file: 'demo/receiver/server.mjs', port: config.ports.receiver, env: 'RECEIVER_PORT' },
  { name: 'inventory', file: 'demo/backend/inventory.mjs', port: config.ports.inventory, env: 'INVENTORY_PORT' },
  { name: 'shop-api', file: 'demo/backend/server.mjs', port: config.ports.api, env: 'API_PORT' },
  { name: 'app', file: 'demo/app/server.mjs', port: config.ports.app, env: 'APP_PORT' },
  { name: 'viewer', file: 'demo/viewer/server.mjs', port: config.ports.viewer, env: 'VIEWER_PORT' },
];

// ── ports first: a clear message before anything is installed, built or started ──
const dupes = SERVICES.filter((s, i) => SERVICES.findIndex((t) => t.port === s.port) !== i);
if (dupes.length) {
  console.error(`[spanbeam] two services on port ${dupes[0].port}: give each its own (${SERVICES.map((s) => `${s.env}=${s.port}`).join(' ')})`);
  process.exit(2);
}
/** @param {number} port @returns {Promise<NodeJS.ErrnoException | undefined>} */
function probe(port) {
  return new Promise((ok) => {
    const srv = createServer();
    srv.once('error', (err) => ok(err));
    srv.listen(port, config.host, () => srv.close(() => ok(undefined)));
  });
}
for (const s of SERVICES) {
  const err = await probe(s.port);
  if (err) {
    const why = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${err.code ?? err.message})`;
    console.error(`[spanbeam] port ${s.port} for the ${s.name} ${why} on ${config.host}. Stop what uses it, or choose another: ${s.env}=<port> npm start`);
    process.exit(2);
  }
}

// ── install and build ──
if (process.env.SPANBEAM_SKIP_BUILD !== '1') {
  if (!existsSync(join(ROOT, 'node_modules/.package-lock.json'))) {
    log('installing dependencies (npm install)…');
    execSync('npm install --no-audit --no-fund', { cwd: ROOT, stdio: 'inherit' });
  }
  log('building…');
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
} else if (!existsSync(join(ROOT, 'dist/index.js'))) {
  console.error('[spanbeam] SPANBEAM_SKIP_BUILD=1 but dist/ is not built: run npm run build');
  process.exit(1);
}

// ── run ──
/** @type {Map<string, { child: import('node:child_process').ChildProcess, url?: string, exited: boolean }>} */
const running = new Map();
let stopping = false;

/** Prefixes each line of a child's output with its name. @param {NodeJS.ReadableStream} from @param {NodeJS.WriteStream} to @param {string} name */
function pipeLines(from, to, name) {
  let rest = '';
  from.setEncoding('utf8');
  from.on('data', (/** @type {string} */ chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) to.write(line.startsWith(`[${name}]`) ? `${line}\n` : `[${name}] ${line}\n`);
  });
  from.on('end', () => rest && to.write(`[${name}] ${rest}\n`));
}

/** @param {typeof SERVICES[number]} s @returns {Promise<string>} */
function startService(s) {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(ROOT, s.file)], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group: Ctrl-C reaches only us, and we stop the group as a whole.
      detached: true,
    });
    const entry = { child, url: /** @type {string | undefined} */ (undefined), exited: false };
    running.set(s.name, entry);
    pipeLines(/** @type {NodeJS.ReadableStream} */ (child.stdout), process.stdout, s.name);
    pipeLines(/** @type {NodeJS.ReadableStream} */ (child.stderr), process.stderr, s.name);
    child.on('message', (/** @type {any} */ m) => {
      if (m?.type === 'ready') {
        entry.url = m.url;
        ok(m.url);
      }
    });
    child.on('exit', (code, signal) => {
      entry.exited = true;
      if (!entry.url) fail(new Error(`${s.name} exited before it was ready (${signal ?? `code ${code}`})`));
      else if (!stopping) {
        console.error(`[spanbeam] ${s.name} stopped unexpectedly (${signal ?? `code ${code}`}); stopping the demo`);
        void stopAll(1);
      }
    });
  });
}

/** @param {number} pid @param {NodeJS.Signals} sig */
function signalGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/** SIGTERM to each entry's process group; SIGKILL what is left after 5 s. @param {{ child: import('node:child_process').ChildProcess, exited: boolean }[]} entries */
async function stopEntries(entries) {
  const alive = entries.filter((e) => !e.exited && e.child.pid);
  for (const e of alive) signalGroup(/** @type {number} */ (e.child.pid), 'SIGTERM');
  const exited = Promise.all(alive.map((e) => (e.exited ? undefined : new Promise((ok) => e.child.once('exit', ok)))));
  const timeout = new Promise((ok) => setTimeout(ok, 5000).unref());
  await Promise.race([exited, timeout]);
  for (const e of alive) if (!e.exited) signalGroup(/** @type {number} */ (e.child.pid), 'SIGKILL');
}

/** Stops every service, the receiver last so the others' final spans still reach it. @param {number} code */
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  const receiver = running.get('receiver');
  await stopEntries([...running.values()].filter((e) => e !== receiver));
  if (receiver) await stopEntries([receiver]);
  process.exit(code);
}

for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(sig, () => {
    if (!stopping) log('stopping…');
    void stopAll(0);
  });
}
// Last resort if we exit any other way: take the groups down with us.
process.on('exit', () => {
  for (const e of running.values()) if (!e.exited && e.child.pid) signalGroup(e.child.pid, 'SIGKILL');
});

try {
  await Promise.all(SERVICES.map(startService));
} catch (err) {
  // After Ctrl-C a service stopped before it was ready because we stopped it: nothing to report.
  if (!stopping) console.error(`[spanbeam] ${/** @type {Error} */ (err).message}`);
  await stopAll(1);
}
// Ctrl-C while starting: the demo is not running, so no banner; stopAll ends the process.
if (stopping) await new Promise(() => {});

const pid = (/** @type {string} */ name) => running.get(name)?.child.pid;
const rows = [
  ['shop (npm import)', `${config.origins.app}/`, 'app'],
  ['shop (script tag)', `${config.origins.app}/script-tag.html`, 'app'],
  ['trace viewer', `${config.origins.viewer}/`, 'viewer'],
  ['shop backend', `${config.origins.api}/api/products`, 'shop-api'],
  ['inventory (internal)', `${config.origins.inventory}/stock`, 'inventory'],
  ['OTLP/HTTP receiver', `${config.origins.receiver}/v1/traces`, 'receiver'],
];
const dataFile = join(config.dataDir, 'traces.ndjson');
const shownFile = relative(ROOT, dataFile).startsWith('..') ? dataFile : relative(ROOT, dataFile);
const exportTo = process.env.OTLP_ENDPOINT ? `Spans go to ${config.endpoint} (OTLP_ENDPOINT)` : `Spans are stored in ${shownFile}`;
console.log(
  [
    '',
    '  Spanbeam demo is running:',
    '',
    ...rows.map(([what, url, name]) => `    ${what.padEnd(22)} ${url.padEnd(44)} pid ${pid(name)}`),
    '',
    `  ${exportTo}. Ctrl-C stops everything.`,
    '',
  ].join('\n'),
);
log('ready');
