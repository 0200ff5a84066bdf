// Screenshot tests of <spanbeam-viewer> with deterministic Chromium flags and committed
// baselines in test/visual/baselines/. Run: npx playwright test -c test/visual/playwright.config.ts
// (add --update-snapshots after an intended visual change, then look at the new PNGs).
import { defineConfig } from '@playwright/test';
import { launchOptions } from '../../scripts/browser.mjs';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.visual.ts',
  snapshotPathTemplate: '{testDir}/baselines/{arg}{ext}',
  forbidOnly: true,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  expect: { toHaveScreenshot: { maxDiffPixelRatio: 0.005, animations: 'disabled', caret: 'hide' } },
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1000, height: 560 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    launchOptions: launchOptions({
      args: ['--force-device-scale-factor=1', '--font-render-hinting=none', '--disable-lcd-text', '--disable-font-subpixel-positioning', '--hide-scrollbars'],
    }),
  },
});
