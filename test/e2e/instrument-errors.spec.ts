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

test("errors the app catches and hands to the browser's reportError() (an error boundary's componentDidCatch) are recorded, on the interaction or a span of their own", async ({ page }) => {
  server.page(
    '/caught.html',
    `${start('/sb.js')}<button id="b">b</button><script>
      // As an error boundary does: the error never reaches window.onerror by itself.
      const render = () => { throw new TypeError('cannot read cart'); };
      document.getElementById('b').addEventListener('click', () => { try { render(); } catch (e) { reportError(e); } });
      window.seen = [];
      window.addEventListener('error', (e) => seen.push(e.message));
      setTimeout(() => { try { render(); } catch (e) { reportError(e); } }, 0);
    </script>`,
  );
  await page.goto(`${server.origin}/caught.html`);
  await page.click('#b');
  const spans = await waitForSpans(page, server, (s) => byName(s, 'click button#b').length === 1 && byName(s, 'error').length === 1);
  expect(exceptions(one(spans, (s) => s.name === 'click button#b'))).toEqual(['cannot read cart']);
  const own = one(spans, (s) => s.name === 'error');
  expect(exceptions(own)).toEqual(['cannot read cart']);
  expect(own.events[0].attributes['exception.type']).toBe('TypeError');
  expect(own.events[0].attributes['exception.stacktrace']).toMatch(/render/);
  // The page's own listeners still see both.
  expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toEqual(['Uncaught TypeError: cannot read cart', 'Uncaught TypeError: cannot read cart']);
});

test("an Error made from an object (`new Error(obj)`) keeps its message, only a plain object is named by its keys; one whose keys cannot be read is still recorded", async ({ page }) => {
  server.page('/objmsg.html', start('/sb.js'));
  await page.goto(`${server.origin}/objmsg.html`);
  await page.evaluate(() => {
    // As `reject(new Error(response))` does: the Error's message reads "[object Object]".
    void Promise.reject(new Error({ status: 500 } as unknown as string));
    void Promise.reject({ status: 500 });
    const trap = () => {
      throw new Error('trap');
    };
    void Promise.reject(new Proxy({}, { ownKeys: trap }));
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length === 3);
  const got = byName(spans, 'error').map((s) => `${s.events[0].attributes['exception.type']}: ${s.events[0].attributes['exception.message']}`);
  expect(got.sort()).toEqual(['Error: [object Object]', 'object: Object with keys: status', 'object: [object Object]']);
  expect(await page.evaluate(() => (window as unknown as { Spanbeam: { getSelfCounters(): object } }).Spanbeam.getSelfCounters())).not.toHaveProperty(['errors.failed']);
});

test('`throw null` and `throw undefined` are recorded as rejections with them are, not as the message "Uncaught null"', async ({ page }) => {
  server.page('/thrownull.html', start('/sb.js'));
  await page.goto(`${server.origin}/thrownull.html`);
  await page.evaluate(() => {
    setTimeout(() => {
      throw null;
    });
    setTimeout(() => {
      throw undefined;
    });
    setTimeout(() => {
      throw 'Uncaught as a string';
    });
    void Promise.reject(null);
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'error').length === 4);
  const got = byName(spans, 'error').map((s) => `${s.attributes['error.source']} ${s.events[0].attributes['exception.type']}: ${s.events[0].attributes['exception.message']}`);
  expect(got.sort()).toEqual(['error object: null', 'error string: Uncaught as a string', 'error undefined: undefined', 'unhandledrejection object: null']);
});
