// The errors instrumentation on real pages: what it records, and that the page sees the same.
import { test, expect } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, byName, one, received, waitForSpans, type RSpan } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

const start = (bundle: string, before = '') =>
  `<!doctype html>${before}<script src="${bundle}"></script><script>window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });</script>`;
const exceptions = (s: RSpan) => s.events.filter((e) => e.name === 'exception').map((e) => e.attributes['exception.message']);

for (const [name, before] of [
  ['default', ''],
  // zone.js then hands its hook a wrapper with the promise, and raises an event too.
  ['wrapping rejections', '<script>window.__zone_symbol__DISABLE_WRAPPING_UNCAUGHT_PROMISE_REJECTION = false;</script>'],
])
  test(`with zone.js (${name}), each unhandled rejection in a click is recorded once, also one with a reason seen before`, async ({ page }) => {
    server.page(
      '/rej.html',
      `${start('/sb-zone.js', before)}<button id="a">a</button><button id="s">s</button><script>
        // A request that failed once, cached: each click chains onto it and forgets the catch.
        const failed = Promise.reject(new Error('offline'));
        failed.catch(() => {});
        document.getElementById('a').addEventListener('click', () => void failed.then(() => {}));
        document.getElementById('s').addEventListener('click', () => void Promise.reject('not an Error'));
      </script>`,
    );
    await page.goto(`${server.origin}/rej.html`);
    for (const id of ['#a', '#a', '#s']) {
      await page.click(id);
      await page.waitForTimeout(50);
    }
    const spans = await waitForSpans(page, server, (s) => byName(s, 'click button#a').length === 2 && byName(s, 'click button#s').length === 1);
    expect(byName(spans, 'click button#a').map(exceptions)).toEqual([['offline'], ['offline']]);
    expect(exceptions(one(spans, (s) => s.name === 'click button#s'))).toEqual(['not an Error']);
    expect(byName(received(server), 'error')).toEqual([]);
  });
