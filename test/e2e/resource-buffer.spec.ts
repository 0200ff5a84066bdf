// A full Resource Timing buffer (250 entries by default) is the page's: the SDK never clears it
// nor resizes it, fetch spans still get their phases (the observer is not limited by the buffer),
// and the page-load span still reports.
import { test, expect } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, openApp, waitForSpans, byName, one } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
  server.route('/img', (_q, res) => void res.writeHead(200, { 'content-type': 'image/gif' }).end());
});
test.afterEach(async () => server.close());

test('with 300 resources (buffer full) the SDK leaves the buffer alone and fetch spans keep their timing', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { touched: string[] };
    w.touched = [];
    for (const k of ['clearResourceTimings', 'setResourceTimingBufferSize'] as const) {
      const orig = performance[k].bind(performance) as (...a: unknown[]) => void;
      (performance as unknown as Record<string, unknown>)[k] = (...a: unknown[]) => (w.touched.push(k), orig(...a));
    }
    let full = 0;
    performance.addEventListener('resourcetimingbufferfull', () => full++);
    (window as unknown as { full: () => number }).full = () => full;
    document.addEventListener('DOMContentLoaded', () => {
      for (let i = 0; i < 300; i++) document.body.append(Object.assign(new Image(), { src: `/img?${i}` }));
    });
  });
  const errors = await openApp(page, server);
  await page.waitForFunction(() => document.readyState === 'complete');
  const res = await page.evaluate(async () => {
    await (await fetch('/api/data?after=full')).json();
    const x = new XMLHttpRequest();
    await new Promise((r) => { x.onloadend = r; x.open('GET', '/api/data?xhr=1'); x.send(); });
    return { n: performance.getEntriesByType('resource').length, full: (window as unknown as { full: () => number }).full() };
  });
  expect(errors).toEqual([]);
  expect(res.n).toBe(250);
  expect(res.full).toBeGreaterThan(0);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length >= 2 && s.some((x) => x.name === 'documentLoad'));
  for (const q of ['after=full', 'xhr=1']) {
    const s = one(spans, (x) => x.name === 'GET' && String(x.attributes['url.full']).includes(q));
    expect(s.events.map((e) => e.name)).toEqual(expect.arrayContaining(['fetchStart', 'responseStart', 'responseEnd']));
  }
  expect(byName(spans, 'resourceFetch').length).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as { touched: string[] }).touched)).toEqual([]);
  expect(await page.evaluate(() => performance.getEntriesByType('resource').length)).toBe(250);
});
