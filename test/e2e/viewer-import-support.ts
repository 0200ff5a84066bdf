// Builds the import client (test page entry) and the import worker with Vite, the way
// scripts/build.mjs emits dist/viewer.js + dist/viewer-worker.js: two files side by side.
import { build } from 'vite';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
let built: Promise<string> | undefined;

/** Returns the URL path of the build dir (served by test/support/server.ts from test/.build/). */
export function buildImportBundles(): Promise<string> {
  built ??= (async () => {
    const dir = `test/.build/viewer-import-${process.pid}`;
    const outDir = resolve(ROOT, dir);
    const common = { configFile: false as const, logLevel: 'warn' as const, root: ROOT, define: { __SPANBEAM_DEV__: 'true' } };
    await build({
      ...common,
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        minify: false,
        lib: { entry: resolve(ROOT, 'test/e2e/viewer-import-page.ts'), formats: ['es'], fileName: () => 'viewer-import-page.js' },
      },
    });
    await build({
      ...common,
      build: {
        outDir,
        emptyOutDir: false,
        target: 'es2022',
        minify: true,
        // As scripts/build.mjs: a classic (strict, import-free) worker script.
        lib: { entry: resolve(ROOT, 'src/viewer/import/worker.ts'), formats: ['iife'], name: 'spanbeamImportWorker', fileName: () => 'viewer-worker.js' },
        rolldownOptions: { output: { strict: true } },
      },
    });
    return `/${dir}`;
  })();
  return built;
}

export const STRICT_CSP = "default-src 'self'; require-trusted-types-for 'script'; trusted-types spanbeam-viewer";

export function pageHtml(dir: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>import</title>
<script type="module" src="${dir}/viewer-import-page.js"></script></head><body></body></html>`;
}
