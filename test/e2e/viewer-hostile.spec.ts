// Hostile trace text and numbers, in a page with a strict CSP and Trusted Types required: trace
// text stays text (no markup, no links, no script), keeps keys named like Object.prototype
// members, cannot reorder the viewer's own sentences, and one absurd number blanks nothing.
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, slicePoint, strictViewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await strictViewerServer();
});
test.afterAll(async () => server?.close());

type V = HTMLElement & { load(i: unknown): Promise<unknown>; shadowRoot: ShadowRoot };
const XSS = '<img src=x onerror=alert(1)>';
const RLO = '\u202e';
const T = '0af7651916cd43dd8448eb211c80319c';
const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });
const span = (name: string, id: string, parent: string | undefined, startMs: number, endMs: number | undefined, more: object = {}) => ({
  traceId: T,
  spanId: id.padStart(16, '0'),
  ...(parent ? { parentSpanId: parent.padStart(16, '0') } : {}),
  name,
  startTimeUnixNano: `${1_700_000_000_000 + startMs}000000`,
  ...(endMs !== undefined ? { endTimeUnixNano: `${1_700_000_000_000 + endMs}000000` } : {}),
  ...more,
});
const otlp = (spans: object[]) => ({ resourceSpans: [{ resource: { attributes: [kv('service.name', XSS)] }, scopeSpans: [{ scope: { name: XSS }, spans }] }] });

async function load(page: Page, input: unknown): Promise<void> {
  await page.evaluate((i) => (document.querySelector('spanbeam-viewer') as V).load(i).catch(() => undefined), input);
}

/** Whether `first` is drawn left of `second` in the (first) element matching `selector` that holds both. */
function inOrder(page: Page, selector: string, first: string, second: string): Promise<boolean> {
  return page.evaluate(
    ([sel, a, b]) => {
      const root = (document.querySelector('spanbeam-viewer') as V).shadowRoot;
      const el = [...root.querySelectorAll(sel)].find((e) => e.textContent!.includes(a) && e.textContent!.includes(b));
      if (!el) throw new Error(`no ${sel} with ${a} and ${b}`);
      const left = (word: string): number => {
        const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
          const at = n.textContent!.indexOf(word);
          if (at < 0) continue;
          const r = document.createRange();
          r.setStart(n, at);
          r.setEnd(n, at + word.length);
          return r.getBoundingClientRect().left;
        }
        throw new Error(`${word} not in one text node`);
      };
      return left(a) < left(b);
    },
    [selector, first, second] as const,
  );
}

test('hostile text stays text under a strict CSP; keys such as __proto__ are shown', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await openViewer(page, server, '', '/strict/viewer.html');
  const attrs = [kv('http.url', 'javascript:alert(1)'), kv('html', XSS), kv('__proto__', 'kept'), kv('constructor', 'c'), kv('toString', 't')];
  await load(page, otlp([span(XSS, '1', undefined, 0, 100, { attributes: attrs, status: { code: 2, message: XSS } }), span('javascript:alert(2)', '2', '1', 10, 20)]));
  expect((await waitForEvent(page, 'spanbeam-load')).detail.slices).toBe(2);
  const p = await slicePoint(page, XSS);
  await page.mouse.move(p.x, p.y);
  await expect(page.locator('spanbeam-viewer .tooltip .tname')).toHaveText(XSS);
  await page.mouse.click(p.x, p.y);
  await expect(page.locator('spanbeam-viewer .details h2')).toHaveText(XSS);
  const [args, resource] = [0, 1].map((i) => page.locator('spanbeam-viewer .details table.args').nth(i));
  await expect(args.locator('th')).toHaveText(['http.url', 'html', '__proto__', 'constructor', 'toString']);
  await expect(args.locator('td').nth(2)).toHaveText('kept');
  await expect(resource.locator('td')).toHaveText([XSS]);
  for (const tab of ['waterfall', 'insights']) {
    await page.locator(`spanbeam-viewer button.tab-${tab}`).click();
    await expect(page.locator('spanbeam-viewer .main').getByText(XSS).first()).toBeVisible();
  }
  const dom = await page.evaluate(() => {
    const root = (document.querySelector('spanbeam-viewer') as V).shadowRoot;
    return { img: root.querySelectorAll('img').length, href: root.querySelectorAll('[href]').length };
  });
  expect(dom).toEqual({ img: 0, href: 0 });
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
});

test("a bidi override in trace text does not reverse the viewer's own text", async ({ page }) => {
  await openViewer(page, server);
  const kids = Array.from({ length: 5 }, (_, k) => span('query', `${k + 10}`, '1', 10 + k, 11 + k));
  await load(
    page,
    otlp([
      span(`${RLO}root`, '1', undefined, 0, 100, { events: [{ timeUnixNano: `${1_700_000_000_000 + 50}000000`, name: `${RLO}evt`, attributes: [kv('first', 'x'), kv('last', 'y')] }] }),
      ...kids,
      span(`${RLO}open`, '2', '1', 30, undefined),
    ]),
  );
  await waitForEvent(page, 'spanbeam-load');
  // Warnings quote the span name; the sentence around it still reads left to right.
  await page.locator('spanbeam-viewer details.diagnostics summary').click();
  await expect(page.locator('spanbeam-viewer details.diagnostics li').first()).toContainText('has no end time');
  expect.soft(await inOrder(page, 'details.diagnostics li', 'drawn', 'trace')).toBe(true);
  // A span event's name does not reverse its attributes.
  const p = await slicePoint(page, `${RLO}root`);
  await page.mouse.click(p.x, p.y);
  expect.soft(await inOrder(page, '.details li', 'first', 'last')).toBe(true);
  // A fan-out's parent name does not reverse the words after it.
  await page.locator('spanbeam-viewer button.tab-insights').click();
  await expect(page.locator('spanbeam-viewer .fanouts li')).toContainText('sequential');
  expect.soft(await inOrder(page, '.fanouts li', 'sequential', 'wall')).toBe(true);
  // Nor does a key named in a load error.
  await load(page, { [`${RLO}name`]: 1 });
  await expect(page.locator('spanbeam-viewer .load-error')).toContainText('not a trace');
  expect.soft(await inOrder(page, '.load-error', 'traceEvents', 'array')).toBe(true);
});

test('one time of 1e308 µs is reported; the other spans are still drawn', async ({ page }) => {
  await openViewer(page, server);
  const spans = [
    { traceID: 'abc', spanID: '1', operationName: 'ok', startTime: 1700000000000000, duration: 1000, processID: 'p' },
    { traceID: 'abc', spanID: '2', operationName: 'far', startTime: 1e308, duration: 5, processID: 'p' },
  ];
  await load(page, JSON.stringify({ data: [{ traceID: 'abc', spans, processes: { p: { serviceName: 'svc' } } }] }));
  expect((await waitForEvent(page, 'spanbeam-load')).detail.slices).toBe(1);
  const view = await page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as { stats: { startNs: number; endNs: number } }).stats);
  expect(Number.isFinite(view.startNs) && Number.isFinite(view.endNs)).toBe(true);
  const p = await slicePoint(page, 'ok');
  expect(Number.isFinite(p.x)).toBe(true);
  await page.locator('spanbeam-viewer details.diagnostics summary').click();
  await expect(page.locator('spanbeam-viewer details.diagnostics li')).toHaveText([/^invalid-event × 1: span "far" skipped: startTime 1e\+308/]);
});

test('an event with 100k args: the details list the first 200 and offer the rest (all of them took seconds)', async ({ page }) => {
  await openViewer(page, server);
  const args = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
  await load(page, JSON.stringify([{ ph: 'X', name: 'many', ts: 0, dur: 50, pid: 1, tid: 1, args }]));
  await waitForEvent(page, 'spanbeam-load');
  const p = await slicePoint(page, 'many');
  await page.mouse.click(p.x, p.y);
  const rows = page.locator('spanbeam-viewer .details table.args tr');
  await expect(rows).toHaveCount(200);
  await expect(rows.first()).toHaveText('k00');
  await expect(page.locator('spanbeam-viewer .details button.show-all')).toHaveText('Show all 100000');
});
