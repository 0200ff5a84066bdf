// `<spanbeam-viewer>.source = Spanbeam.liveSpans()`: spans of the page's own SDK appear as they end.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
  // The viewer test page plus the script-tag SDK build (npm test builds dist/ first).
  const html = readFileSync(resolve(import.meta.dirname, '../pages/viewer.html'), 'utf8');
  server.page('/live/viewer.html', html.replace('<body>', '<body><script src="/dist/spanbeam.iife.js"></script>'));
});
test.afterAll(async () => server?.close());

test('a live SDK source: spans ended before and after subscribing appear, nested', async ({ page }) => {
  await openViewer(page, server, '', '/live/viewer.html');
  await page.evaluate(() => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
    S.configureTracing({ serviceName: 'live-page' });
    const source = S.liveSpans();
    S.getTracer('live').startActiveSpan('before subscribe', (s) => s.end());
    (document.querySelector('spanbeam-viewer') as unknown as { source: unknown }).source = source;
  });
  const first = await waitForEvent(page, 'spanbeam-load');
  expect(first.detail).toMatchObject({ format: 'spanbeam-spans', slices: 1 });
  // Spans that end after the viewer subscribed.
  await page.evaluate(() => {
    const tracer = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam.getTracer('live');
    tracer.startActiveSpan('click checkout', (root) => {
      tracer.startSpan('GET /api/cart').end();
      root.end();
    });
  });
  const second = await waitForEvent(page, 'spanbeam-load', 2);
  expect(second.detail.slices).toBe(3);
  const nested = await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as {
      model: { strings: string[]; slices: { count: number; name: Int32Array | Uint32Array; parent: Int32Array } };
    };
    const m = v.model;
    const names: string[] = [];
    for (let i = 0; i < m.slices.count; i++) {
      const p = m.slices.parent[i];
      names.push(`${m.strings[m.slices.name[i]]} <- ${p >= 0 ? m.strings[m.slices.name[p]] : '-'}`);
    }
    return names.sort();
  });
  expect(nested).toEqual(['GET /api/cart <- click checkout', 'before subscribe <- -', 'click checkout <- -']);
});

test('setting the same live source again keeps the spans collected so far', async ({ page }) => {
  await openViewer(page, server, '', '/live/viewer.html');
  await page.evaluate(() => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
    const v = document.querySelector('spanbeam-viewer') as unknown as { source: unknown };
    // A source that hands over only spans ending after each subscribe (no replay of earlier ones).
    const inner = S.liveSpans();
    const source = {
      subscribe(onSpans: (spans: readonly unknown[]) => void) {
        let replay = true;
        const unsub = inner.subscribe((spans) => replay || onSpans(spans));
        replay = false;
        return unsub;
      },
    };
    v.source = source;
    S.getTracer('live').startActiveSpan('first', (s) => s.end());
    (window as unknown as { __source: unknown }).__source = source;
  });
  expect((await waitForEvent(page, 'spanbeam-load')).detail.slices).toBe(1);
  await page.evaluate(() => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
    const v = document.querySelector('spanbeam-viewer') as unknown as { source: unknown };
    v.source = (window as unknown as { __source: unknown }).__source; // e.g. a framework re-binding the property
    S.getTracer('live').startActiveSpan('second', (s) => s.end());
  });
  expect((await waitForEvent(page, 'spanbeam-load', 2)).detail.slices).toBe(2);
});

test('removed and re-added later: follows the same source again, with the spans from before and those that ended meanwhile', async ({ page }) => {
  await openViewer(page, server, '', '/live/viewer.html');
  await page.evaluate(() => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
    S.configureTracing({ serviceName: 'live-page' });
    const inner = S.liveSpans();
    const w = window as unknown as { __subs: number; __source: unknown };
    // Counts live subscriptions, to see that none is held while the element is out of the document.
    w.__subs = 0;
    w.__source = {
      subscribe(onSpans: (spans: readonly unknown[]) => void) {
        w.__subs++;
        const unsub = inner.subscribe(onSpans);
        return () => {
          w.__subs--;
          unsub();
        };
      },
    };
    (document.querySelector('spanbeam-viewer') as unknown as { source: unknown }).source = w.__source;
    S.getTracer('live').startActiveSpan('before removal', (s) => s.end());
  });
  expect((await waitForEvent(page, 'spanbeam-load')).detail.slices).toBe(1);
  const detached = await page.evaluate(async () => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
    const w = window as unknown as { __subs: number; __source: unknown; __v: HTMLElement };
    const v = document.querySelector('spanbeam-viewer') as HTMLElement;
    w.__v = v;
    v.remove(); // e.g. a framework unmounting it, to mount it again later
    await new Promise((r) => setTimeout(r, 100));
    const subs = w.__subs;
    S.getTracer('live').startActiveSpan('while detached', (s) => s.end());
    await new Promise((r) => setTimeout(r, 100));
    document.body.append(v);
    return subs;
  });
  expect(detached).toBe(0);
  await page.evaluate(() => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
    S.getTracer('live').startActiveSpan('after re-add', (s) => s.end());
  });
  const names = () =>
    page.evaluate(() => {
      const w = window as unknown as { __v: { model: { strings: string[]; slices: { count: number; name: Uint32Array } } | null; source: unknown } };
      const m = w.__v.model;
      return m ? Array.from(m.slices.name.subarray(0, m.slices.count), (n) => m.strings[n]).sort() : [];
    });
  await expect.poll(names, { timeout: 5000 }).toEqual(['after re-add', 'before removal', 'while detached']);
  const state = await page.evaluate(() => {
    const w = window as unknown as { __subs: number; __source: unknown; __v: { source: unknown; model: { diagnostics: unknown[] } } };
    return { subs: w.__subs, same: w.__v.source === w.__source, diagnostics: w.__v.model.diagnostics };
  });
  // One subscription again, the same source, and no span twice (no duplicate-span warning).
  expect(state).toEqual({ subs: 1, same: true, diagnostics: [] });
});

test('a source set on an element that is not in the document is followed only once it is added', async ({ page }) => {
  await openViewer(page, server, '', '/live/viewer.html');
  const subs = await page.evaluate(async () => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
    S.configureTracing({ serviceName: 'live-page' });
    const inner = S.liveSpans();
    const w = window as unknown as { __subs: number; __v: HTMLElement };
    w.__subs = 0;
    const source = {
      subscribe(onSpans: (spans: readonly unknown[]) => void) {
        w.__subs++;
        const unsub = inner.subscribe(onSpans);
        return () => {
          w.__subs--;
          unsub();
        };
      },
    };
    const v = document.createElement('spanbeam-viewer') as HTMLElement & { source: unknown };
    w.__v = v;
    v.source = source;
    S.getTracer('live').startActiveSpan('early', (s) => s.end());
    await new Promise((r) => setTimeout(r, 100));
    // A detached element must not be held by the source (it would never be collected).
    const before = w.__subs;
    document.querySelector('spanbeam-viewer')!.replaceWith(v);
    return before;
  });
  expect(subs).toBe(0);
  await expect
    .poll(() => page.evaluate(() => {
      const m = (window as unknown as { __v: { model: { slices: { count: number } } | null } }).__v.model;
      return m ? m.slices.count : 0;
    }), { timeout: 5000 })
    .toBe(1);
  expect(await page.evaluate(() => (window as unknown as { __subs: number }).__subs)).toBe(1);
});

test('a page open for long: the viewer keeps the last 5000 live spans, not every one to import again at each update', async ({ page }) => {
  test.setTimeout(60_000);
  await openViewer(page, server, '', '/live/viewer.html');
  await page.evaluate(() => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
    S.configureTracing({ serviceName: 'live-page' });
    (document.querySelector('spanbeam-viewer') as unknown as { source: unknown }).source = S.liveSpans();
    const tracer = S.getTracer('live');
    (window as unknown as { burst(from: number, n: number): void }).burst = (from, n) => {
      for (let i = from; i < from + n; i++) tracer.startActiveSpan(`op ${i}`, (s) => (tracer.startSpan(`fetch ${i}`).end(), s.end()));
    };
  });
  // Each update imports every span the viewer holds again, on the page's main thread.
  const update = async (from: number, n: number, loads: number) => {
    await page.evaluate(([f, k]) => (window as unknown as { burst(from: number, n: number): void }).burst(f, k), [from, n] as const);
    return (await waitForEvent(page, 'spanbeam-load', loads)).detail.slices as number;
  };
  let loads = 0;
  for (let k = 0; k < 12; k++) await update(k * 1000, 1000, ++loads); // 24000 spans
  expect(await update(12_000, 10, ++loads)).toBe(5000);
  const names = await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { model: { strings: string[] } };
    return v.model.strings.filter((s) => /^(op|fetch) /.test(s));
  });
  expect(names).toContain('op 12009');
  expect(names).not.toContain('op 0');
});

test('the flame view follows live spans: its sandwich and selected node stay across updates', async ({ page }) => {
  await openViewer(page, server, '', '/live/viewer.html');
  const spans = () =>
    page.evaluate(() => {
      const tracer = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam.getTracer('live');
      // Each lasting a few ms (coarse clocks make an empty span 0 long: nothing to merge).
      const busy = (): void => {
        for (const t = performance.now(); performance.now() - t < 3; );
      };
      tracer.startActiveSpan('click checkout', (root) => {
        const s = tracer.startSpan('GET /api/cart');
        busy();
        s.end();
        busy();
        root.end();
      });
    });
  await page.evaluate(() => {
    const S = (window as unknown as { Spanbeam: typeof import('../../src/script') }).Spanbeam;
    S.configureTracing({ serviceName: 'live-page' });
    (document.querySelector('spanbeam-viewer') as unknown as { source: unknown }).source = S.liveSpans();
  });
  await spans();
  await waitForEvent(page, 'spanbeam-load');
  await page.getByRole('tab', { name: 'Flame graph' }).click();
  type V = { _flame: { model: { strings: string[]; slices: { count: number; name: Uint32Array; depth: Uint16Array } } } | null; flameTl: { select(i: number): void } };
  const selectNode = (name: string, depth: number) =>
    page.waitForFunction(
      ([n, d]) => {
        const v = document.querySelector('spanbeam-viewer') as unknown as V;
        const m = v._flame?.model;
        const i = m ? [...Array(m.slices.count).keys()].find((k) => m.strings[m.slices.name[k]] === n && m.slices.depth[k] === d) : undefined;
        if (i === undefined) return false;
        v.flameTl.select(i);
        return true;
      },
      [name, depth] as const,
    );
  await selectNode('GET /api/cart', 1);
  const details = page.locator('spanbeam-viewer .details');
  await expect(details.locator('h2')).toHaveText('GET /api/cart');
  // B: callers and callees of it; select its caller there.
  await page.locator('spanbeam-viewer .flame').press('b');
  await expect(page.locator('spanbeam-viewer .sandwich-bar')).toContainText('Callers and callees of GET /api/cart');
  await selectNode('click checkout', 1);
  await expect(details.locator('h2')).toHaveText('click checkout');
  // More spans end: the update keeps the sandwich and the selected node (found again in the new merge).
  await spans();
  await waitForEvent(page, 'spanbeam-load', 2);
  await page.waitForFunction(() => (document.querySelector('spanbeam-viewer') as unknown as V)._flame !== null);
  await expect(page.locator('spanbeam-viewer .sandwich-bar')).toContainText('Callers and callees of GET /api/cart');
  await expect(details.locator('h2')).toHaveText('click checkout');
  // (of the new model: its merge, not the old graph kept drawn)
  expect(
    await page.evaluate(() => {
      const v = document.querySelector('spanbeam-viewer') as unknown as { model: unknown; _flame: { source: unknown } };
      return v._flame.source === v.model;
    }),
  ).toBe(true);
  await expect(details).toContainText(/Calls of GET \/api\/cart through here\s*2/);
});
