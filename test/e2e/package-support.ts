// The package as a project installs it: `npm pack`ed and unpacked into a scratch project's
// node_modules (dist/ built first, by globalSetup, when missing or older than the sources).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/**
 * Builds dist/ when it is missing or older than the sources. Only from Playwright's globalSetup,
 * before any test runs: a build during the run deletes and rewrites dist/ under the tests that
 * serve it, and the demo's Vite servers, which watch the dist/dev files their pages import,
 * reload those pages mid-test (an open request, e.g. the viewer's event stream, then fails with
 * net::ERR_ABORTED).
 */
export function ensureFreshDist(): void {
  const marker = join(ROOT, 'dist/types/index.d.ts');
  const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'package.json')), newest(join(ROOT, 'scripts/build.mjs')));
  if (!existsSync(marker) || statSync(marker).mtimeMs < sources) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
  }
}

/**
 * A new project under the system temp dir with spanbeam installed from its packed tarball, the
 * given dependencies linked from ours (no registry at test time) and this package.json; returns
 * its directory. dist/ is built by globalSetup (ensureFreshDist).
 */
export function packedProject(prefix: string, packageJson: object, deps: readonly string[] = []): string {
  const app = mkdtempSync(join(tmpdir(), prefix));
  // dist/ is fresh now: --ignore-scripts skips the prepack build, which would run on every pack.
  const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', app], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  mkdirSync(join(app, 'node_modules/spanbeam'), { recursive: true });
  execFileSync('tar', ['-xzf', join(app, tarball), '-C', join(app, 'node_modules/spanbeam'), '--strip-components=1']);
  for (const d of deps) symlinkSync(join(ROOT, 'node_modules', d), join(app, 'node_modules', d));
  writeFileSync(join(app, 'package.json'), JSON.stringify(packageJson));
  return app;
}
