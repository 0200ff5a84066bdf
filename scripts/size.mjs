// Bundle sizes as users pay them, measured as the anchors are (esbuild, minified, ES2020, every
// dependency bundled, brotli quality 11). SDK entries go through the production build first —
// Rolldown with dependencies external, then terser with internal `_` members mangled, exactly as
// dist/ is built (scripts/build.mjs) — and are then bundled by esbuild with their dependencies,
// as an app's bundler would. `--check` enforces the budgets (CI); `--compare` adds OpenTelemetry web.
import { build } from 'vite';
import { build as esbuild } from 'esbuild';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { minifyProd } from './minify.mjs';

// [name, entry, target KB (the goal set in the issues), ceiling KB (what CI enforces today: no
// regression while the target is not met; equal to the target once it is), compression, SDK build]
const ENTRIES = [
  ['whole SDK (core, instrumentations, export, web-vitals, idb; no zone.js)', 'bench/size/full.ts', 14, 21.65, 'brotli', true],
  ['minimal (core + fetch + export)', 'bench/size/minimal.ts', 6, 12.1, 'brotli', true],
  ['core only', 'bench/size/core.ts', null, 3.4, 'brotli', true],
  ['viewer (Lit included, worker excluded)', 'src/viewer/index.ts', 60, 60, 'gzip', false],
];
const COMPARE = [
  ['OpenTelemetry web 2.12 (4 instrumentations + OTLP, no zone.js)', 'bench/size/otel-web.ts'],
  ['Elastic APM RUM 5.17 (its default instrumentations)', 'bench/size/elastic-rum.ts'],
];

const sizes = (code) => ({
  min: code.length / 1024,
  brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length / 1024,
  gzip: gzipSync(code, { level: 9 }).length / 1024,
});

/** esbuild, minified, ES2020, dependencies bundled: how the anchors were measured. */
async function esbuildSize(entry) {
  const r = await esbuild({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    define: { __SPANBEAM_DEV__: 'false', 'process.env.NODE_ENV': '"production"' },
  });
  return sizes(Buffer.from(r.outputFiles[0].contents));
}

/** The production SDK build of `entry` (as dist/ is made), then bundled with its dependencies by esbuild. */
async function measureSdk(entry) {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    define: { __SPANBEAM_DEV__: 'false' },
    build: {
      write: false,
      target: 'es2022',
      minify: false,
      lib: { entry, formats: ['es'], fileName: () => 'out.js' },
      rolldownOptions: { external: (id) => /^(idb|web-vitals)(\/|$)/.test(id), output: { codeSplitting: false } },
    },
  });
  const chunk = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).find((c) => c.type === 'chunk');
  const { code } = await minifyProd(chunk.code);
  // Next to package.json so esbuild resolves idb and web-vitals from node_modules.
  mkdirSync(resolve('bench/.build'), { recursive: true });
  const dir = mkdtempSync(resolve('bench/.build/size-'));
  try {
    writeFileSync(`${dir}/prod.js`, code);
    return await esbuildSize(`${dir}/prod.js`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(entry) {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    define: { __SPANBEAM_DEV__: 'false', 'process.env.NODE_ENV': '"production"' },
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      lib: { entry, formats: ['es'], fileName: () => 'out.js' },
    },
  });
  // What loading the entry costs: the entry chunk and what it imports statically. Chunks it
  // loads on demand with import() (the viewer's main-thread importer) are not counted.
  const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((c) => c.type === 'chunk');
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const loaded = new Set();
  const visit = (c) => {
    if (!c || loaded.has(c)) return;
    loaded.add(c);
    for (const f of c.imports) visit(byName.get(f));
  };
  for (const c of chunks) if (c.isEntry) visit(c);
  const code = Buffer.from([...loaded].map((c) => c.code).join('\n'));
  return {
    min: code.length / 1024,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length / 1024,
    gzip: gzipSync(code, { level: 9 }).length / 1024,
  };
}

const check = process.argv.includes('--check');
const compare = process.argv.includes('--compare');
// Exact bytes: a one-decimal KB hides the ±50 B that small edits move brotli by.
const bytes = process.argv.includes('--bytes');
let failed = false;
console.log('bundle                                                          min KB  brotli KB  gzip KB  ceiling (CI) / target');
const missed = [];
for (const [name, entry, target, budget, unit, sdk] of ENTRIES) {
  if (!existsSync(entry)) {
    console.log(`${name.padEnd(62)} (entry ${entry} missing)`);
    failed = failed || check;
    continue;
  }
  const s = sdk ? await measureSdk(entry) : await measure(entry);
  const over = budget !== null && s[unit] > budget;
  failed = failed || over;
  let b = `${over ? 'OVER ' : '≤ '}${budget} KB ${unit}`;
  if (target !== null) {
    const met = s[unit] <= target;
    b += ` / target ${target} KB ${met ? 'met' : 'NOT MET'}`;
    if (!met) missed.push(`${name}: ${s[unit].toFixed(1)} KB ${unit}, target ${target} KB`);
  }
  console.log(`${name.padEnd(62)} ${s.min.toFixed(1).padStart(6)} ${s.brotli.toFixed(1).padStart(10)} ${s.gzip.toFixed(1).padStart(8)}  ${b}${bytes ? ` (${Math.round(s[unit] * 1024)} B)` : ''}`);
}
if (missed.length) console.log(`[spanbeam] size targets not met yet (tracked in the issues):\n  ${missed.join('\n  ')}`);
if (compare) {
  for (const [name, entry] of COMPARE) {
    const s = await esbuildSize(entry);
    console.log(`${name.padEnd(62)} ${s.min.toFixed(1).padStart(6)} ${s.brotli.toFixed(1).padStart(10)} ${s.gzip.toFixed(1).padStart(8)}`);
  }
}
if (check && failed) {
  console.error('[spanbeam] size ceiling exceeded (or an entry is missing): a change made a bundle bigger');
  process.exit(1);
}
