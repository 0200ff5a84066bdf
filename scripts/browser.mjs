// Finds a Chromium for Playwright: its own download when present (a developer laptop),
// else the system's (Debian's `chromium`), which is all a closed-network CI machine can have.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags that keep headless Chromium quiet on a machine without network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export function findChromium() {
  if (process.env.SPANBEAM_CHROMIUM) return process.env.SPANBEAM_CHROMIUM;
  let own;
  try {
    own = chromium.executablePath();
  } catch {
    own = undefined;
  }
  if (own && existsSync(own)) return undefined; // Playwright's own build: no executablePath needed
  return SYSTEM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Options for `chromium.launch()`; throws when no browser exists at all. */
export function launchOptions(extra = {}) {
  const exe = findChromium();
  if (exe === null) throw new Error('No Chromium found: run `node scripts/ensure-browser.mjs`.');
  return { ...extra, ...(exe ? { executablePath: exe } : {}), args: [...CHROMIUM_ARGS, ...(extra.args ?? [])] };
}
