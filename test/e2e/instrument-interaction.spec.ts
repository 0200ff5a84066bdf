import { test, expect } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, openApp, waitForSpans, one, type RSpan } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

const fetchFrom = (spans: RSpan[], from: string) => one(spans, (s) => s.kind === 3 && String(s.attributes['url.full']).includes(`from=${from}`));
const hasFetch = (from: string) => (spans: RSpan[]) => spans.some((s) => s.kind === 3 && String(s.attributes['url.full']).includes(`from=${from}`));

test('one span per interaction however many listeners, with the handler fetch as its child', async ({ page }) => {
  await openApp(page, server);
  await page.click('#multi');
  const spans = await waitForSpans(page, server, hasFetch('multi'));
  const clicks = spans.filter((s) => s.name.startsWith('click'));
  expect(clicks.map((s) => s.name)).toEqual(['click button#multi']);
  expect(clicks[0].attributes).toMatchObject({ 'interaction.type': 'click', 'interaction.target': 'button#multi' });
  const f = fetchFrom(spans, 'multi');
  expect(f.parentSpanId).toBe(clicks[0].spanId);
  expect(f.traceId).toBe(clicks[0].traceId);
  expect(await page.evaluate(() => (window as unknown as { log: string[] }).log)).toEqual(['a', 'doc']);
});

test('a fetch after setTimeout in the handler is the click’s child (zone.js)', async ({ page }) => {
  await openApp(page, server, { instrumentations: { interactions: { activityWindowMs: 0 } } });
  await page.click('#timer');
  const spans = await waitForSpans(page, server, hasFetch('timer'));
  const click = one(spans, (s) => s.name === 'click button#timer');
  expect(fetchFrom(spans, 'timer').parentSpanId).toBe(click.spanId);
});

test('a fetch after a native await joins the interaction by the activity-window rule', async ({ page }) => {
  await openApp(page, server);
  await page.click('#await');
  const spans = await waitForSpans(page, server, hasFetch('await'));
  // zone.js lost the context across `await` …
  expect(await page.evaluate(() => (window as unknown as { activeAfterAwait: string }).activeAfterAwait)).toBe('undefined');
  // … and the rule still parents the fetch to the click.
  const click = one(spans, (s) => s.name === 'click button#await');
  expect(fetchFrom(spans, 'await').parentSpanId).toBe(click.spanId);
});

test('React-style delegated root listener and a shadow-DOM target', async ({ page }) => {
  await openApp(page, server);
  await page.click('#react-inner');
  await page.click('#widget >> #inner');
  const spans = await waitForSpans(page, server, (s) => hasFetch('react')(s) && hasFetch('shadow')(s));
  const react = one(spans, (s) => s.name === 'click button#react-btn');
  expect(fetchFrom(spans, 'react').parentSpanId).toBe(react.spanId);
  const shadow = one(spans, (s) => s.name === 'click button#inner');
  expect(fetchFrom(spans, 'shadow').parentSpanId).toBe(shadow.spanId);
});

test('listeners added before start() still get one span, and requests join it', async ({ page }) => {
  server.page(
    '/early.html',
    `<button id="b">x</button><script>document.getElementById('b').addEventListener('click', () => fetch('/api/data?from=early'));</script>
     <script src="/sb-zone.js"></script><script>window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory' } });</script>`,
  );
  await page.goto(`${server.origin}/early.html`);
  await page.click('#b');
  const spans = await waitForSpans(page, server, hasFetch('early'));
  const click = one(spans, (s) => s.name === 'click button#b');
  expect(fetchFrom(spans, 'early').parentSpanId).toBe(click.spanId);
});

test('submit from a button click is one interaction; no input values in spans', async ({ page }) => {
  await openApp(page, server);
  await page.fill('input[name=password]', 'hunter2-secret');
  await page.fill('#name', 'Alice Example');
  await page.click('#submit');
  await page.focus('#name');
  await page.keyboard.press('Enter');
  const spans = await waitForSpans(page, server, (s) => hasFetch('submit')(s) && s.some((x) => x.name.startsWith('keydown')));
  const click = one(spans, (s) => s.name === 'click button#submit');
  expect(spans.filter((s) => s.name.startsWith('submit'))).toEqual([]);
  expect(fetchFrom(spans, 'submit').parentSpanId).toBe(click.spanId);
  const key = one(spans, (s) => s.name === 'keydown input#name');
  expect(key.attributes['interaction.key']).toBe('Enter');
  const all = JSON.stringify(spans);
  expect(all).not.toContain('hunter2');
  expect(all).not.toContain('Alice');
});

test('a page whose handler throws sees its error exactly as without the SDK; the error is recorded', async ({ page }) => {
  const seen = async (withSdk: boolean) => {
    const p = await page.context().newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
    await p.goto(`${server.origin}/app.html?b=${withSdk ? '/sb-zone.js' : '/none.js'}&o={}`).catch(() => undefined);
    await p.evaluate(() => {
      const w = window as unknown as { caught: unknown[] };
      w.caught = [];
      window.addEventListener('error', (e) => w.caught.push([e.message, e.error?.constructor?.name, e.error?.message]));
    });
    await p.click('#thrower');
    await p.waitForTimeout(50);
    const caught = await p.evaluate(() => (window as unknown as { caught: unknown[] }).caught);
    return { errors, caught, page: p };
  };
  const without = await seen(false);
  const withSdk = await seen(true);
  expect(withSdk.errors).toEqual(without.errors);
  expect(withSdk.caught).toEqual(without.caught);
  expect(withSdk.caught).toEqual([['Uncaught TypeError: handler failed on purpose', 'TypeError', 'handler failed on purpose']]);
  const spans = await waitForSpans(withSdk.page, server, (s) => s.some((x) => x.name === 'click Throw it'));
  const click = one(spans, (s) => s.name === 'click Throw it');
  expect(click.status.code).toBe(2);
  expect(click.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
    'exception.type': 'TypeError',
    'exception.message': 'handler failed on purpose',
  });
});
