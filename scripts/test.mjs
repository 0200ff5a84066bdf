// `npm test`: everything CI checks, in order, failing fast: types, layers, build, size budget,
// unit tests (Node), then browser tests in real headless Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.package-lock.json')) {
  console.log('[spanbeam] installing dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const steps = [
  ['typecheck', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['layer check', ['scripts/check-layers.mjs']],
  ['build', ['scripts/build.mjs']],
  ['size budget', ['scripts/size.mjs', '--check']],
  ['unit tests', ['node_modules/vitest/vitest.mjs', 'run']],
  ['browser', ['scripts/ensure-browser.mjs']],
  ['browser tests', ['node_modules/@playwright/test/cli.js', 'test', ...process.argv.slice(2)]],
  // Baselines are Debian Chromium's rendering; after an intended change run
  // `npx playwright test -c test/visual/playwright.config.ts --update-snapshots` and look at them.
  ['screenshot tests', ['node_modules/@playwright/test/cli.js', 'test', '-c', 'test/visual/playwright.config.ts']],
];

for (const [name, args] of steps) {
  const t0 = Date.now();
  console.log(`\n[spanbeam] ── ${name} ──`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`[spanbeam] ${name} failed (${secs}s)`);
    process.exit(r.status ?? 1);
  }
  console.log(`[spanbeam] ${name} ok (${secs}s)`);
}
