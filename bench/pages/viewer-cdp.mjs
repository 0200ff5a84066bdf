/**
 * A headless Chromium driven over a bare DevTools pipe, for page-load timings of apps that start
 * Web Workers. Playwright attaches to every worker a page starts with `waitForDebuggerOnStart`,
 * so the worker stays paused until the driver process has answered over CDP (measured here at
 * load ~5: posting the import → the viewer's worker running, median 139 ms under Playwright against
 * 66 ms without, loads interleaved; a trace shows the worker idle in the debugger's pause loop for
 * 88 ms), and it enables the Network domain in the page and its workers (an event to the driver
 * for every chunk received). No user's browser does either.
 * This driver attaches to the page only, enables nothing, and polls with Runtime.evaluate.
 *
 *   const browser = await launchBare({ args: ['--window-size=1400,900'] });
 *   const page = await browser.open(url, { width: 1400, height: 900 });
 *   await page.waitFor('window.__bench?.loaded');  // polls every 50 ms, returns the value
 *   await page.close(); await browser.close();
 * A helper of bench/viewer-render.mjs and bench/viewer-ab.mjs, kept under pages/ so that
 * `npm run bench` (every bench/*.mjs) does not run it as a benchmark of its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/browser.mjs';

// The switches of Playwright's own launch that bear on timing, so both drivers run alike.
const TIMING_ARGS = [
  '--headless',
  '--hide-scrollbars',
  '--mute-audio',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-ipc-flooding-protection',
  '--disable-back-forward-cache',
  '--disable-dev-shm-usage',
  '--disable-extensions',
  '--disable-field-trial-config',
  '--disable-features=PaintHolding,MediaRouter,OptimizationHints',
  '--force-color-profile=srgb',
  '--no-default-browser-check',
  '--password-store=basic',
  '--use-mock-keychain',
];

export async function launchBare({ args = [] } = {}) {
  const exe = findChromium() ?? chromium.executablePath();
  const profile = mkdtempSync(join(tmpdir(), 'spanbeam-cdp-'));
  const proc = spawn(exe, [...CHROMIUM_ARGS, ...TIMING_ARGS, ...args, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
  });
  const [, , , toBrowser, fromBrowser] = proc.stdio;
  let nextId = 0;
  const pending = new Map();
  let buf = '';
  fromBrowser.on('data', (d) => {
    buf += d.toString();
    for (let i; (i = buf.indexOf('\0')) >= 0; ) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      const p = msg.id !== undefined && pending.get(msg.id);
      if (!p) continue;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
    }
  });
  const exited = new Promise((r) => proc.once('exit', r));
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject, method });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  await send('Browser.getVersion');

  return {
    /** A fresh context (own cache and storage, as Playwright's newPage) with one page at `url`. */
    async open(url, { width, height }) {
      const { browserContextId } = await send('Target.createBrowserContext');
      const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
      await send('Page.navigate', { url }, sessionId);
      const evaluate = async (expression) => {
        const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
        if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
        return r.result.value;
      };
      return {
        evaluate,
        /** Polls `expression` every 50 ms until it is truthy; returns its value. */
        async waitFor(expression, timeoutMs = 600_000) {
          const end = Date.now() + timeoutMs;
          for (;;) {
            const v = await evaluate(expression);
            if (v) return v;
            if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        },
        close: () => send('Target.disposeBrowserContext', { browserContextId }),
      };
    },
    async close() {
      await send('Browser.close').catch(() => undefined);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The same page interface over a Playwright browser (`--driver=playwright`, the old way, with
 * Playwright's worker pause and network monitoring).
 */
export function playwrightPages(browser) {
  return {
    async open(url, viewport) {
      const page = await browser.newPage({ viewport });
      await page.goto(url);
      return {
        evaluate: (expression) => page.evaluate(expression),
        waitFor: async (expression, timeoutMs = 600_000) => (await page.waitForFunction(expression, null, { timeout: timeoutMs, polling: 50 })).jsonValue(),
        close: () => page.close(),
      };
    },
    close: () => browser.close(),
  };
}
