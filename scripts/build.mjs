// Builds the package: ESM entry points (dependencies external, for bundlers), the script-tag
// IIFE bundles (everything inlined, global `Spanbeam`), the viewer's worker, and .d.ts files.
import { build, createLogger } from 'vite';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';
import { minifyProd } from './minify.mjs';
import { scriptTagBuild } from './script-tag.mjs';

// Vite's note that './viewer-worker.js' does not exist while building the viewer is expected
// (the file is built afterwards; see keepWorkerReference).
const logger = createLogger('warn');
const warnOnce = logger.warnOnce;
logger.warnOnce = (msg, o) => void (/viewer-worker\.js.*doesn't exist at build time/s.test(msg) || warnOnce(msg, o));
const quiet = { logLevel: 'warn', configFile: false, customLogger: logger };
const EXTERNAL = [/^idb/, /^web-vitals/, /^lit/, /^@lit/, /^zone\.js/];

// Build into a fresh folder and swap it in at the end: no stale chunks, and a concurrent reader
// (a test server) never sees a half-written dist/.
const OUT = `dist.tmp-${process.pid}`;
rmSync(OUT, { recursive: true, force: true });

const esmEntries = {
  index: 'src/index.ts',
  zone: 'src/zone.ts',
  propagation: 'src/propagation/index.ts',
};

/** One ES-module build of `entry` (dependencies external) into dist/ or, for development, dist/dev/. */
function esmBuild(entry, dev, rolldownOptions = {}) {
  return build({
    ...quiet,
    define: { __SPANBEAM_DEV__: String(dev) },
    build: {
      outDir: dev ? `${OUT}/dev` : OUT,
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      lib: { entry, formats: ['es'], fileName: (_f, name) => `${name}.js` },
      rolldownOptions: { external: (id) => EXTERNAL.some((re) => re.test(id)), ...rolldownOptions },
    },
  });
}

// Production ESM strips development warnings; `dist/dev/` keeps them and is what bundlers pick
// under the `development` export condition (Vite's dev server does).
// The viewer is built on its own: modules it shares with its lazily loaded main-thread importer
// stay inside viewer.js (which gains a few internal exports) instead of becoming a tiny chunk
// that every page would fetch one round trip after viewer.js.
for (const dev of [false, true]) {
  // idb has no `sideEffects` flag: imported from index.js, it stayed in every app bundle (one
  // using only getTracer() too). From a chunk of ours (side-effect free) it goes with the exporter.
  await esmBuild(esmEntries, dev, { output: { codeSplitting: { groups: [{ name: 'idb', test: /src\/export\/idb\.ts$/ }] } } });
  await esmBuild({ viewer: 'src/viewer/index.ts' }, dev, {
    preserveEntrySignatures: 'allow-extension',
    output: { chunkFileNames: 'viewer-[name]-[hash].js' },
  });
  keepWorkerReference(`${dev ? `${OUT}/dev` : OUT}/viewer.js`);
}

/**
 * `new URL('./viewer-worker.js', import.meta.url)` must reach apps literally: their bundlers
 * (Vite, webpack 5, Parcel) only recognise that exact shape and then emit the worker file. Vite,
 * not finding the file while building us, rewrites it to `"" + import.meta.url`; undo that.
 */
function keepWorkerReference(file) {
  const code = readFileSync(file, 'utf8');
  const fixed = code.replace(/new URL\("\.\/viewer-worker\.js", "" \+ import\.meta\.url\)/g, 'new URL("./viewer-worker.js", import.meta.url)');
  if (!fixed.includes('new URL("./viewer-worker.js", import.meta.url)')) throw new Error(`${file}: worker reference not found`);
  writeFileSync(file, fixed);
}

// Production SDK files are minified with internal (`_`) members mangled, like Lit's builds; the
// files an entry loads together share one property map. `dist/dev/` stays readable. The viewer
// (Lit's own `_$` members) is left as is.
async function minifyInPlace(files, module, compress = false) {
  const shared = {};
  for (const f of files) {
    const file = f.split('/').pop();
    const hasMap = existsSync(`${f}.map`);
    const { code, map } = await minifyProd(readFileSync(f, 'utf8'), { module, compress, shared, file, map: hasMap ? readFileSync(`${f}.map`, 'utf8') : undefined });
    writeFileSync(f, `${code}\n`);
    if (hasMap) writeFileSync(`${f}.map`, map);
  }
}
const sdkFiles = readdirSync(OUT)
  .filter((f) => f.endsWith('.js') && !f.startsWith('viewer'))
  .sort((a, b) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b)));
await minifyInPlace(sdkFiles.map((f) => `${OUT}/${f}`), true);

// The viewer's worker is its own same-origin file: strict CSP forbids blob:/data: workers. It sits
// next to both viewer.js builds, which find it at './viewer-worker.js'.
if (existsSync('src/viewer/import/worker.ts')) {
  for (const outDir of [OUT, `${OUT}/dev`]) {
    await build({
      ...quiet,
      define: { __SPANBEAM_DEV__: String(outDir !== OUT) },
      build: {
        outDir,
        emptyOutDir: false,
        target: 'es2022',
        minify: outDir === OUT,
        sourcemap: true,
        // A classic script (strict, no imports): a classic worker starts a few ms sooner than a module worker.
        lib: { entry: { 'viewer-worker': 'src/viewer/import/worker.ts' }, formats: ['iife'], name: 'spanbeamImportWorker', fileName: () => 'viewer-worker.js' },
        rolldownOptions: { output: { strict: true } },
      },
    });
  }
  // Apps' bundlers copy this file as an asset, unminified: minify it here (Vite's ES library
  // output keeps whitespace). No property mangling: objects cross postMessage to viewer.js.
  const f = `${OUT}/viewer-worker.js`;
  const r = await minify(readFileSync(f, 'utf8'), {
    module: false,
    ecma: 2020,
    format: { comments: false },
    sourceMap: { content: readFileSync(`${f}.map`, 'utf8'), url: 'viewer-worker.js.map' },
  });
  if (!r.code.startsWith('"use strict";') || /\bimport\.meta\b|^\s*(?:import|export)\b/m.test(r.code)) throw new Error(`${f}: not a strict classic script`);
  writeFileSync(f, `${r.code}\n`);
  writeFileSync(`${f}.map`, r.map);
}

// Script-tag bundles: one expects zone.js from the page (or runs without it), one includes it.
for (const [entry, file] of [
  ['src/script.ts', 'spanbeam.iife.js'],
  ['src/script-zone.ts', 'spanbeam-zone.iife.js'],
]) {
  await build({
    ...quiet,
    define: { __SPANBEAM_DEV__: 'false' },
    build: {
      outDir: OUT,
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      ...scriptTagBuild(entry, file),
    },
  });
  await minifyInPlace([`${OUT}/${file}`], false, true);
  const code = readFileSync(`${OUT}/${file}`, 'utf8');
  if (!/^globalThis\.Spanbeam=\(function\(\w*\)\{"use strict";/.test(code)) throw new Error(`${file}: not strict code inside its wrapper`);
  // What start() runs is compiled as the script loads (eager.mjs): the marks were all rewritten.
  if (/["']eager["']/.test(code) || (code.match(/var [\w$]+=\(function/g) ?? []).length < 10) throw new Error(`${file}: 'eager' functions not rewritten`);
}

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--declarationDir', `${OUT}/types`], { stdio: 'inherit' });
addDeclarationExtensions(`${OUT}/types`);

/**
 * Our sources import './x' (bundler resolution); under `moduleResolution: node16/nodenext` such
 * specifiers in .d.ts files do not resolve, and every export becomes `any` (or an error without
 * skipLibCheck). Give each relative specifier the path Node would need: './x.js' or './x/index.js'.
 */
function addDeclarationExtensions(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) addDeclarationExtensions(file);
    if (!entry.name.endsWith('.d.ts')) continue;
    const code = readFileSync(file, 'utf8').replace(/((?:from|import\()\s*)(['"])(\.\.?\/[^'"]*)\2/g, (m, lead, q, spec) => {
      if (/\.js$/.test(spec)) return m;
      const target = existsSync(`${dir}/${spec}.d.ts`) ? `${spec}.js` : existsSync(`${dir}/${spec}/index.d.ts`) ? `${spec}/index.js` : undefined;
      return target ? lead + q + target + q : m;
    });
    writeFileSync(file, code);
  }
}

rmSync('dist', { recursive: true, force: true });
renameSync(OUT, 'dist');
console.log('[spanbeam] built dist/');
