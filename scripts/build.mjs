// Builds the package: ESM entry points (dependencies external, for bundlers), the script-tag
// IIFE bundles (everything inlined, global `Spanbeam`), the viewer's worker, and .d.ts files.
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';

const quiet = { logLevel: 'warn', configFile: false };
const EXTERNAL = [/^idb/, /^web-vitals/, /^lit/, /^@lit/, /^zone\.js/];

// dist/ is not emptied: parallel builds (tests, watch) must not see it vanish.

const esmEntries = {
  index: 'src/index.ts',
  zone: 'src/zone.ts',
  propagation: 'src/propagation/index.ts',
};
if (existsSync('src/viewer/index.ts')) esmEntries.viewer = 'src/viewer/index.ts';

// Production ESM strips development warnings; `dist/dev/` keeps them and is what bundlers pick
// under the `development` export condition (Vite's dev server does).
for (const dev of [false, true]) {
  await build({
    ...quiet,
    define: { __SPANBEAM_DEV__: String(dev) },
    build: {
      outDir: dev ? 'dist/dev' : 'dist',
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      lib: { entry: esmEntries, formats: ['es'], fileName: (_f, name) => `${name}.js` },
      rolldownOptions: { external: (id) => EXTERNAL.some((re) => re.test(id)) },
    },
  });
}

// The viewer's worker is its own same-origin file: strict CSP forbids blob:/data: workers.
if (existsSync('src/viewer/import/worker.ts')) {
  await build({
    ...quiet,
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      lib: { entry: { 'viewer-worker': 'src/viewer/import/worker.ts' }, formats: ['es'], fileName: () => 'viewer-worker.js' },
    },
  });
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
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      lib: { entry, formats: ['iife'], name: 'Spanbeam', fileName: () => file },
    },
  });
}

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('[spanbeam] built dist/');
