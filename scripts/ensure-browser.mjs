// Makes sure a Chromium exists for the browser tests, installing one when none does.
import { execSync } from 'node:child_process';
import { findChromium } from './browser.mjs';

if (findChromium() === null) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const cmd = root
    ? 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'
    : 'npx playwright install chromium';
  console.log(`[spanbeam] No Chromium found; installing one: ${cmd}`);
  execSync(cmd, { stdio: 'inherit', shell: '/bin/bash' });
  if (findChromium() === null) {
    console.error('[spanbeam] Chromium is still missing after the install.');
    process.exit(1);
  }
}
const exe = findChromium();
console.log(`[spanbeam] Browser tests use ${exe ?? "Playwright's own Chromium"}.`);
