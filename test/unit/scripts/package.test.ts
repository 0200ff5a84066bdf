// package.json as `npm pack` / `npm publish` use it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

it('npm pack builds dist/ first: a fresh clone has none, and would pack only package.json', () => {
  dir = mkdtempSync(join(tmpdir(), 'spanbeam-pack-'));
  writeFileSync(join(dir, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  // A stand-in for the real build (same path as package.json's build script).
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'scripts/build.mjs'), "import { mkdirSync, writeFileSync } from 'node:fs';\nmkdirSync('dist', { recursive: true });\nwriteFileSync('dist/index.js', '');\n");
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  expect(files).toContain('dist/index.js');
}, 60_000);
