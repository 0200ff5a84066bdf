// The viewer with big traces, after they are open: search does not block the page, the details
// of a slice with thousands of arguments stay small, the waterfall's keys work past the rendered
// rows, and a replaced trace is freed. Assertions are structural (tasks, DOM nodes, references),
// not timings, so they hold on a loaded machine.
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

interface Viewer extends HTMLElement {
  load(input: unknown): Promise<unknown>;
  clear(): void;
  model: { strings: string[]; slices: { count: number; name: Uint32Array; startNs: Float64Array } } | null;
  selection: number;
  view: string;
  updateComplete: Promise<boolean>;
}

async function load(page: Page, trace: () => unknown): Promise<void> {
  await page.evaluate(async (src) => {
    const v = document.querySelector('spanbeam-viewer') as Viewer;
    await v.load(new Function(`return (${src})()`)());
  }, trace.toString());
}

/** A Chrome trace of `n` slices with URL-like args (every 10th a 'fetch', the rest 'task'). */
function chromeTrace(n: number): () => string {
  return new Function(`return () => {
    const ev = [];
    for (let i = 0; i < ${n}; i++) {
      ev.push('{"ph":"X","pid":1,"tid":' + (1 + (i % 8)) + ',"ts":' + i * 3 + ',"dur":2,"name":"' + (i % 10 ? 'task' : 'fetch') + '","cat":"c","args":{"url":"https://example.com/api/v1/items/' + i + '?expand=owner,tags","seq":' + i + '}}');
    }
    return '{"traceEvents":[' + ev.join(',') + ']}';
  }`)() as () => string;
}

test('typing a search over 400k slices matches in steps, and a newer query drops the old one', async ({ page }) => {
  test.setTimeout(120_000);
  await openViewer(page, server);
  await load(page, chromeTrace(400_000));
  const r = await page.evaluate(async () => {
    const v = document.querySelector('spanbeam-viewer') as Viewer;
    const root = v.shadowRoot!;
    const input = root.querySelector('input[type=search]') as HTMLInputElement;
    const announced: string[] = [];
    new MutationObserver(() => announced.push(root.querySelector('#summary')!.textContent ?? '')).observe(root.querySelector('#summary')!, { subtree: true, childList: true, characterData: true });
    const selects: number[] = [];
    v.addEventListener('spanbeam-select', (e) => selects.push((e as CustomEvent<{ slice: number }>).detail.slice));
    // Other tasks of the page: a message loop counting its turns.
    let beats = 0;
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      beats++;
      ch.port2.postMessage(null);
    };
    ch.port2.postMessage(null);
    const type = (q: string): void => {
      input.value = q;
      input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    };
    const enter = (): void => void input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true, composed: true }));
    const until = async (ok: () => boolean): Promise<void> => {
      while (!ok()) await new Promise((res) => setTimeout(res, 10));
    };
    // 1. A query typed and Enter at once (matching starts now): the page runs meanwhile, and the
    // first match is selected when the matches are in. 'items/39999' matches args only.
    type('items/39999');
    enter();
    const before = beats;
    await v.updateComplete; // microtasks only: no turn for other tasks
    const busy = root.querySelector('.count')!.textContent;
    await until(() => selects.length > 0);
    const during = beats - before;
    const first = selects[0];
    // 2. Enter on a query, then more typing at once: the first query's matches never show.
    selects.length = 0;
    announced.length = 0;
    type('items/123');
    enter();
    type('items/1234');
    await until(() => announced.some((a) => a.includes('matches for items/1234.')));
    ch.port1.onmessage = null;
    const m = v.model!;
    return { during, busy, first, firstStart: m.slices.startNs[first], announced, selects: selects.length, count: root.querySelector('.count')!.textContent };
  });
  expect(r.busy).toBe('…');
  // One task for the whole search gave the page no turn at all.
  expect(r.during).toBeGreaterThanOrEqual(2);
  // The first of 'items/39999', 'items/399990'…: slice 39999 at ts 119997 µs.
  expect(r.firstStart).toBe(119_997_000);
  expect(r.announced.filter((a) => a.includes('matches for items/123.'))).toEqual([]);
  expect(r.announced.filter((a) => a.includes('matches for items/1234.'))).toEqual(['111 matches for items/1234.']);
  expect(r.selects).toBe(0);
  expect(r.count).toBe('0 / 111');
});

test('the first showing of insights over 400k slices is computed in steps, the page running meanwhile', async ({ page }) => {
  test.setTimeout(120_000);
  await openViewer(page, server);
  await load(page, chromeTrace(400_000));
  const r = await page.evaluate(async () => {
    const v = document.querySelector('spanbeam-viewer') as Viewer;
    const root = v.shadowRoot!;
    // Other tasks of the page: a message loop counting its turns.
    let beats = 0;
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      beats++;
      ch.port2.postMessage(null);
    };
    ch.port2.postMessage(null);
    (root.querySelector('button.tab-insights') as HTMLButtonElement).click();
    const before = beats;
    await v.updateComplete; // microtasks only: no turn for other tasks
    const busy = root.querySelector('[role=status].insights-busy')?.textContent ?? null;
    while (!root.querySelector('section.insights')) await new Promise((res) => setTimeout(res, 10));
    ch.port1.onmessage = null;
    const text = (sel: string) => root.querySelector(sel)!.textContent!.replace(/\s+/g, ' ').trim();
    return { busy, during: beats - before, self: text('ol.bottlenecks-self'), byName: text('table.by-name tbody') };
  });
  // Computed at once, the insights of a million slices were one task of 60–80 ms.
  expect(r.busy).toBe('Computing insights…');
  expect(r.during).toBeGreaterThanOrEqual(2);
  // What shows is what a computation at once gives: 360k 'task' and 40k 'fetch', 2 µs each.
  expect(r.byName).toContain('task');
  expect(r.byName).toContain('360000');
  expect(r.byName).toContain('40000');
  expect(r.self).toContain('task');
});

test('details of a span with 5000 attributes show 200 until "Show all"', async ({ page }) => {
  await openViewer(page, server);
  await load(page, () => {
    const attributes = [];
    for (let i = 0; i < 5000; i++) attributes.push({ key: `attr.${i}`, value: { stringValue: `value ${i}` } });
    const span = { traceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', spanId: '00000000000000a1', name: 'wide', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000010000000', attributes };
    return { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span] }] }] };
  });
  await page.evaluate(() => {
    (document.querySelector('spanbeam-viewer') as Viewer).selection = 0;
  });
  const rows = page.locator('spanbeam-viewer .details table.args').first().locator('tr');
  await expect(rows).toHaveCount(200);
  // Each row was three nodes: 5000 made 15k nodes and seconds of rendering.
  expect(await page.evaluate(() => document.querySelector('spanbeam-viewer')!.shadowRoot!.querySelector('.details')!.querySelectorAll('*').length)).toBeLessThan(1000);
  await page.locator('spanbeam-viewer .details button.show-all').click();
  await expect(rows).toHaveCount(5000);
  await expect(rows.last()).toContainText('value 4999');
});

test('waterfall: ArrowDown steps past the rendered rows, focus and selection together', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 600 });
  await openViewer(page, server);
  await load(page, () => {
    const ns = (ms: number) => String(1_700_000_000_000_000_000n + BigInt(ms) * 1_000_000n);
    const span = (i: number, parent?: string) => ({
      traceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      spanId: (i + 1).toString(16).padStart(16, '0'),
      ...(parent ? { parentSpanId: parent } : {}),
      name: `span ${i}`,
      startTimeUnixNano: ns(i),
      endTimeUnixNano: ns(parent ? i + 1 : 1000),
    });
    const spans = [span(0)];
    for (let i = 1; i < 400; i++) spans.push(span(i, spans[0].spanId));
    return { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] };
  });
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  await page.locator('spanbeam-viewer .wf-row').first().click();
  for (let i = 0; i < 120; i++) await page.keyboard.press('ArrowDown');
  const focused = page.locator('spanbeam-viewer .wf-row:focus');
  await expect(focused).toHaveAttribute('aria-rowindex', '121');
  await expect(focused).toContainText('span 120');
  await expect(focused).toHaveAttribute('aria-selected', 'true');
  // Still virtualised: rows around the scroll position only.
  expect(await page.locator('spanbeam-viewer .wf-row').count()).toBeLessThan(80);
  for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowUp');
  await expect(focused).toContainText('span 60');
  await expect(focused).toHaveAttribute('aria-selected', 'true');
});

test('a trace replaced or cleared after a selection is freed', async ({ page }) => {
  await openViewer(page, server);
  const cdp = await page.context().newCDPSession(page);
  const alive = async (): Promise<boolean> => {
    await cdp.send('HeapProfiler.collectGarbage');
    return page.evaluate(() => (window as unknown as { __first: WeakRef<object> }).__first.deref() !== undefined);
  };
  for (const next of ['load', 'clear'] as const) {
    await load(page, chromeTrace(1000));
    await page.evaluate(async () => {
      const v = document.querySelector('spanbeam-viewer') as Viewer;
      (window as unknown as { __first: WeakRef<object> }).__first = new WeakRef(v.model!);
      v.selection = 3;
      await v.updateComplete;
    });
    await expect(page.locator('spanbeam-viewer .details')).toBeVisible();
    if (next === 'load') await load(page, chromeTrace(10));
    else await page.evaluate(() => (document.querySelector('spanbeam-viewer') as Viewer).clear());
    await page.evaluate(() => (document.querySelector('spanbeam-viewer') as Viewer).updateComplete);
    // Polled: a frame or task already scheduled may hold the model a moment; kept by a cache, it stays.
    await expect.poll(alive, { message: `after ${next}`, timeout: 5000 }).toBe(false);
  }
});
