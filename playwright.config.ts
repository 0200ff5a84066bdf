import { defineConfig } from '@playwright/test';
import { launchOptions } from './scripts/browser.mjs';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/global-setup.ts',
  forbidOnly: true,
  fullyParallel: true,
  workers: 2,
  // A test that fails runs once more; passing then, it is listed as "flaky" in the summary (a
  // timing-sensitive test on a loaded 2-core machine) and is fixed at its cause, not ignored.
  retries: 1,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: launchOptions(),
    trace: 'off',
  },
});
