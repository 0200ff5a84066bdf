// Builds the viewer test bundle once per run (Lit bundled in) plus its import worker, into
// test/.build/viewer/. Parallel test workers share one build (a lock directory serialises them).
import { build } from 'vite';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, 'test/.build/viewer');

function newestSource(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    t = Math.max(t, f.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

const LOCK = join(ROOT, 'test/.build/viewer.lock');
const SERVED = '/test/.build/viewer/viewer.js';

function fresh(): boolean {
  const marker = join(OUT, 'viewer.js');
  return existsSync(marker) && existsSync(join(OUT, 'viewer-worker.js')) && statSync(marker).mtimeMs > newestSource(join(ROOT, 'src/viewer'));
}

/**
 * Returns the served path of the viewer module (/test/.build/viewer/viewer.js), building it
 * first when src/viewer changed. Parallel test workers serialise on a lock directory.
 */
export async function buildViewer(): Promise<string> {
  mkdirSync(join(ROOT, 'test/.build'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (fresh()) return SERVED;
    try {
      mkdirSync(LOCK);
    } catch {
      // Someone else is building; a lock older than 2 minutes is left over from a crash.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for the viewer test build');
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (!fresh()) await buildInto(OUT);
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

async function buildInto(out: string): Promise<void> {
  const tmp = `${out}-tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const common = { configFile: false as const, logLevel: 'warn' as const, root: ROOT, define: { __SPANBEAM_DEV__: 'false' } };
  for (const [entry, file] of [
    ['src/viewer/index.ts', 'viewer.js'],
    ['src/viewer/import/worker.ts', 'viewer-worker.js'],
  ] as const) {
    // As scripts/build.mjs: the worker is a classic (strict, import-free) script.
    const worker = file === 'viewer-worker.js';
    await build({
      ...common,
      build: {
        outDir: tmp,
        emptyOutDir: false,
        target: 'es2022',
        minify: true,
        sourcemap: false,
        lib: { entry: join(ROOT, entry), formats: [worker ? 'iife' : 'es'], name: 'spanbeamImportWorker', fileName: () => file },
        ...(worker ? { rolldownOptions: { output: { strict: true } } } : {}),
      },
    });
  }
  const old = `${out}-old-${process.pid}`;
  if (existsSync(out)) renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
}
