// Bundle sizes as users pay them: each entry bundled with its dependencies, minified, then
// brotli and gzip. `--check` enforces the budgets (CI); `--compare` adds OpenTelemetry web.
import { build } from 'vite';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { existsSync } from 'node:fs';

// [name, entry, budget in KB, compression the budget is in]
const ENTRIES = [
  ['whole SDK (core, instrumentations, export, web-vitals, idb; no zone.js)', 'bench/size/full.ts', 14, 'brotli'],
  ['minimal (core + fetch + export)', 'bench/size/minimal.ts', 6, 'brotli'],
  ['core only', 'bench/size/core.ts', null, 'brotli'],
  ['viewer (Lit included, worker excluded)', 'src/viewer/index.ts', 60, 'gzip'],
];
const COMPARE = [['OpenTelemetry web 2.12 (4 instrumentations + OTLP, no zone.js)', 'bench/size/otel-web.ts']];

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
      rolldownOptions: { output: { codeSplitting: false } },
    },
  });
  const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((c) => c.type === 'chunk');
  const code = Buffer.from(chunks.map((c) => c.code).join('\n'));
  return {
    min: code.length / 1024,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length / 1024,
    gzip: gzipSync(code, { level: 9 }).length / 1024,
  };
}

const check = process.argv.includes('--check');
const compare = process.argv.includes('--compare');
let failed = false;
console.log('bundle                                                          min KB  brotli KB  gzip KB  budget');
for (const [name, entry, budget, unit] of ENTRIES) {
  if (!existsSync(entry)) {
    console.log(`${name.padEnd(62)} (entry ${entry} missing)`);
    failed = failed || check;
    continue;
  }
  const s = await measure(entry);
  const over = budget !== null && s[unit] > budget;
  failed = failed || over;
  const b = budget === null ? '' : `${over ? 'OVER ' : '≤ '}${budget} KB ${unit}`;
  console.log(`${name.padEnd(62)} ${s.min.toFixed(1).padStart(6)} ${s.brotli.toFixed(1).padStart(10)} ${s.gzip.toFixed(1).padStart(8)}  ${b}`);
}
if (compare) {
  for (const [name, entry] of COMPARE) {
    const s = await measure(entry);
    console.log(`${name.padEnd(62)} ${s.min.toFixed(1).padStart(6)} ${s.brotli.toFixed(1).padStart(10)} ${s.gzip.toFixed(1).padStart(8)}`);
  }
}
if (check && failed) {
  console.error('[spanbeam] size budget exceeded (or an entry is missing)');
  process.exit(1);
}
