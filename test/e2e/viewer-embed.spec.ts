// <spanbeam-viewer> as an app embedding it uses it: its keys next to the page's and the browser's,
// attributes a framework removes, properties set before the element is defined, focus the page
// takes, and inputs that fail in ways an embedder sees.
import { expect, test } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

type V = HTMLElement & {
  load(i: unknown): Promise<unknown>;
  data: unknown;
  view: string | null;
  selection: number;
  viewWindow: { startNs: number; endNs: number };
  model: { slices: { count: number } } | null;
  updateComplete: Promise<unknown>;
};

test('Ctrl/Alt/Meta shortcuts stay the browser\'s and the page\'s while the timeline has focus', async ({ page }) => {
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('ArrowRight');
  await waitForEvent(page, 'spanbeam-select');
  const state = () =>
    page.evaluate(() => {
      const v = document.querySelector('spanbeam-viewer') as unknown as V;
      const r = v.shadowRoot!;
      return { sel: v.selection, win: v.viewWindow, pinned: r.querySelectorAll('.track-label[aria-checked=true]').length, help: !!r.querySelector('.help') };
    });
  const before = await state();
  await page.evaluate(() => {
    (window as unknown as { __prevented: string[] }).__prevented = [];
    document.addEventListener('keydown', (e) => {
      if (e.defaultPrevented) (window as unknown as { __prevented: string[] }).__prevented.push(e.key);
    });
  });
  // Find, print, reset zoom, back, copy, and the viewer's own letters with a modifier.
  for (const k of ['Control+f', 'Control+p', 'Control+0', 'Alt+ArrowLeft', 'Control+c', 'Meta+f', 'Control+Shift+?', 'Control+/']) await page.keyboard.press(k);
  expect(await page.evaluate(() => (window as unknown as { __prevented: string[] }).__prevented)).toEqual([]);
  expect(await state()).toEqual(before);
  // Unmodified, the same keys are the viewer's.
  await page.keyboard.press('p');
  await expect(page.locator('spanbeam-viewer .track-label[aria-checked=true]')).toHaveCount(1);
});

test('a removed or unknown view attribute shows the timeline, not an empty viewer', async ({ page }) => {
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  const v = page.locator('spanbeam-viewer');
  await v.evaluate((el) => el.setAttribute('view', 'waterfall'));
  await expect(page.locator('spanbeam-viewer .wf-row').first()).toBeVisible();
  await v.evaluate((el) => el.removeAttribute('view'));
  await expect(page.locator('spanbeam-viewer .timeline')).toBeVisible();
  await expect(page.locator('spanbeam-viewer [role=tab][aria-selected=true]')).toHaveText('Timeline');
  await v.evaluate((el) => el.setAttribute('view', 'gantt'));
  await expect(page.locator('spanbeam-viewer .timeline')).toBeVisible();
  expect(await v.evaluate((el) => (el as unknown as V).view)).toBe('timeline');
});

test('a URL that cannot be fetched, or breaks off, names the URL in the error', async ({ page }) => {
  server.route('/broken.json', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"traceEvents":[{"ph":"X","ts":0,"dur":1,"pid":1,"tid":1,"name":"a"},');
    setTimeout(() => res.socket?.destroy(), 200);
  });
  await openViewer(page, server);
  // Port 1 on loopback: nothing listens, the connection is refused.
  const errors = await page.evaluate(async () => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V;
    const out: string[] = [];
    for (const url of ['http://127.0.0.1:1/trace.json', '/broken.json']) {
      await v.load(url).then(
        () => out.push('loaded'),
        (e: Error) => out.push(e.message),
      );
    }
    return out;
  });
  expect(errors[0]).toContain('could not load http://127.0.0.1:1/trace.json: network error');
  expect(errors[1]).toMatch(/could not load http:\/\/127\.0\.0\.1:\d+\/broken\.json: connection lost after \d+ bytes/);
  await expect(page.locator('spanbeam-viewer .load-error')).toContainText('/broken.json');
  expect((await waitForEvent(page, 'spanbeam-error', 2)).detail.message).toContain('/broken.json');
});

test('an empty string is empty input, never a fetch of the page itself; data = "" clears', async ({ page }) => {
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  const pageFetches = () => server.requests.filter((r) => r.path.startsWith('/test/pages/viewer.html')).length;
  const fetched = pageFetches();
  const msg = await page.evaluate(() =>
    (document.querySelector('spanbeam-viewer') as unknown as V).load('').then(
      () => 'loaded',
      (e: Error) => e.message,
    ),
  );
  expect(msg).toContain('empty input');
  expect(pageFetches()).toBe(fetched);
  await page.evaluate(async () => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V;
    await v.load('{"traceEvents":[{"ph":"X","ts":0,"dur":1,"pid":1,"tid":1,"name":"a"}]}');
    v.data = '';
  });
  await expect.poll(() => page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as V).model)).toBeNull();
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  expect(pageFetches()).toBe(fetched);
});

test("keys typed into the search box stay in the viewer; Ctrl/Meta keys, Tab and an Escape on an empty box reach the page", async ({ page }) => {
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { __seen: string[] }).__seen = []);
    // A page shortcut handler as they are written: it skips keys whose target is a text field.
    for (const type of ['keydown', 'keypress', 'keyup'])
      document.addEventListener(type, (e) => {
        const k = e as KeyboardEvent;
        if (!(k.target instanceof HTMLInputElement)) seen.push(`${type} ${k.ctrlKey ? 'Ctrl+' : ''}${k.key}`);
      });
  });
  const search = page.locator('spanbeam-viewer input[type=search]');
  await search.focus();
  await page.keyboard.type('s/?x');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Enter');
  await expect(search).toHaveValue('s/?');
  const seen = () => page.evaluate(() => (window as unknown as { __seen: string[] }).__seen.splice(0));
  expect(await seen()).toEqual([]);
  await page.keyboard.press('Control+k');
  await search.focus();
  await page.keyboard.press('Shift+A');
  expect(await seen()).toEqual(['keydown Ctrl+Control', 'keydown Ctrl+k', 'keyup Ctrl+k', 'keyup Control', 'keydown Shift', 'keyup Shift']);
  await expect(search).toHaveValue('s/?A');
  // The first Escape clears the query (the viewer's); the second, on an empty box, is the page's.
  await search.focus();
  await page.keyboard.press('Escape');
  await expect(search).toHaveValue('');
  await search.focus();
  await page.keyboard.press('Escape');
  expect((await seen()).filter((k) => k.startsWith('keydown'))).toEqual(['keydown Escape']);
  await search.focus();
  await page.keyboard.press('Tab');
  expect((await seen()).filter((k) => k.startsWith('keydown'))).toEqual(['keydown Tab']);
});

test("focus the page moves away from a track label stays there, even with a viewer update queued", async ({ page }) => {
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  await page.evaluate(() => {
    const box = document.body.insertBefore(document.createElement('input'), document.body.firstChild);
    box.id = 'page-search';
    // A page shortcut (Ctrl keys pass through the viewer) that changes the viewer and focuses its own box.
    document.addEventListener('keydown', (e) => {
      if (!e.ctrlKey || e.key !== 'k') return;
      e.preventDefault();
      (document.querySelector('spanbeam-viewer') as unknown as V).selection = 2;
      box.focus();
    });
  });
  await page.locator('spanbeam-viewer .track-label').first().focus();
  await page.keyboard.press('Control+k');
  await page.waitForTimeout(100);
  await expect(page.locator('#page-search')).toBeFocused();
  // The same from script, in one task.
  await page.locator('spanbeam-viewer .track-label').first().focus();
  await page.evaluate(() => {
    (document.querySelector('spanbeam-viewer') as unknown as V).selection = 3;
    (document.getElementById('page-search') as HTMLInputElement).focus();
  });
  await page.waitForTimeout(100);
  await expect(page.locator('#page-search')).toBeFocused();
});

test('properties set before the element is defined (and while no trace is shown) apply to the trace; the accessors keep working', async ({ page }) => {
  server.page(
    '/lazy-viewer.html',
    `<!doctype html><meta charset="utf-8"><body style="margin:0"><spanbeam-viewer style="height:400px"></spanbeam-viewer>
<script type="module">
const v = document.querySelector('spanbeam-viewer');
window.__sel = [];
v.addEventListener('spanbeam-select', (e) => window.__sel.push(e.detail.slice));
// Not upgraded yet: plain own properties, as a framework or app sets them before the chunk loads.
v.data = await (await fetch('/test/fixtures/viewer-ui/basic.json')).json();
v.selection = 2;
v.viewWindow = { startNs: 1e6, endNs: 5e6 };
await import('/test/.build/viewer/viewer.js');
await new Promise((r) => v.addEventListener('spanbeam-load', r, { once: true }));
window.__ready = true;
</script></body>`,
  );
  await page.goto(`${server.origin}/lazy-viewer.html`);
  await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
  const state = () =>
    page.evaluate(() => {
      const v = document.querySelector('spanbeam-viewer') as unknown as V & { stats: { startNs: number; endNs: number } };
      return { own: ['data', 'selection', 'viewWindow'].filter((k) => Object.prototype.hasOwnProperty.call(v, k)), sel: v.selection, events: (window as unknown as { __sel: number[] }).__sel, win: v.viewWindow, painted: [v.stats.startNs, v.stats.endNs] };
    });
  expect(await state()).toEqual({ own: [], sel: 2, events: [2], win: { startNs: 1e6, endNs: 5e6 }, painted: [1e6, 5e6] });
  // The window and selection accessors, not shadowed by the early own properties.
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V;
    v.selection = 4;
    v.viewWindow = { startNs: 2e6, endNs: 3e6 };
  });
  expect(await state()).toMatchObject({ sel: 4, events: [2, 4], win: { startNs: 2e6, endNs: 3e6 }, painted: [2e6, 3e6] });
});

test('placed where its width comes from its content (a flex row item, inline-block, absolutely positioned), the viewer is as wide as its toolbar, not 0 px', async ({ page }) => {
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  const widths = await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as HTMLElement;
    const toolbar = v.shadowRoot!.querySelector('.toolbar')!;
    const out: Record<string, number> = {};
    const wraps: Record<string, string> = { 'flex row': 'display:flex;width:1000px', 'inline-block': 'display:inline-block', absolute: 'position:relative;height:500px;width:1000px' };
    for (const [k, css] of Object.entries(wraps)) {
      const d = document.createElement('div');
      d.style.cssText = css;
      if (k === 'flex row') d.append(Object.assign(document.createElement('nav'), { textContent: 'menu' }));
      document.body.append(d);
      d.append(v);
      v.style.cssText = k === 'absolute' ? 'position:absolute;left:0;top:0;height:400px' : 'height:400px';
      out[k] = Math.round(v.getBoundingClientRect().width);
      out[`${k}: toolbar`] = Math.round(toolbar.getBoundingClientRect().width);
    }
    return out;
  });
  // Its toolbar, on one line, sets its width there (it was 0: the container query's size containment).
  for (const k of ['flex row', 'inline-block', 'absolute']) {
    expect(widths[k], k).toBeGreaterThan(400);
    expect(widths[`${k}: toolbar`], k).toBe(widths[k]);
  }
});

test('in a modal <dialog>, Escape closes the dialog unless it dismisses something in the viewer (timeline, track names, search box, waterfall, insights)', async ({ page }) => {
  server.page(
    '/dialog-viewer.html',
    `<!doctype html><meta charset="utf-8"><body>
<dialog style="width:900px;height:560px"><spanbeam-viewer style="height:500px" src="/test/fixtures/viewer-ui/basic.json"></spanbeam-viewer></dialog>
<script type="module">
import '/test/.build/viewer/viewer.js';
const v = document.querySelector('spanbeam-viewer');
const loaded = new Promise((r) => v.addEventListener('spanbeam-load', r, { once: true }));
document.querySelector('dialog').showModal();
await loaded;
window.__ready = true;
</script></body>`,
  );
  await page.goto(`${server.origin}/dialog-viewer.html`);
  await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
  const open = () => page.evaluate(() => document.querySelector('dialog')!.open);
  const reopen = () => page.evaluate(() => document.querySelector('dialog')!.showModal());
  const selection = () => page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as V).selection);
  const timeline = page.locator('spanbeam-viewer .timeline');

  // Timeline, nothing selected: the Escape is the dialog's.
  await timeline.focus();
  await page.keyboard.press('Escape');
  expect(await open()).toBe(false);
  // A selection: the first Escape clears it (the dialog stays), the second closes the dialog.
  await reopen();
  await timeline.focus();
  await page.keyboard.press('ArrowRight');
  expect(await selection()).toBeGreaterThanOrEqual(0);
  await page.keyboard.press('Escape');
  expect([await open(), await selection()]).toEqual([true, -1]);
  await page.keyboard.press('Escape');
  expect(await open()).toBe(false);
  // A track name focused, nothing selected.
  await reopen();
  await page.locator('spanbeam-viewer .track-label').first().focus();
  await page.keyboard.press('Escape');
  expect(await open()).toBe(false);
  // The search box: the first Escape clears the query, the second (empty box) closes the dialog.
  await reopen();
  const search = page.locator('spanbeam-viewer input[type=search]');
  await search.focus();
  await page.keyboard.type('a');
  await page.keyboard.press('Escape');
  expect([await open(), await search.inputValue()]).toEqual([true, '']);
  await search.focus();
  await page.keyboard.press('Escape');
  expect(await open()).toBe(false);
  // The waterfall and insights, as the timeline.
  for (const view of ['waterfall', 'insights']) {
    await reopen();
    await page.locator(`spanbeam-viewer button.tab-${view}`).click();
    await page.locator(view === 'waterfall' ? 'spanbeam-viewer .wf-row' : 'spanbeam-viewer .insights button').first().click();
    expect(await selection(), view).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Escape');
    expect([await open(), await selection()], view).toEqual([true, -1]);
    await page.keyboard.press('Escape');
    expect(await open(), view).toBe(false);
  }
});

test("keys the timeline, its track names and the other views act on do not also run the page's shortcuts; keys they leave do", async ({ page }) => {
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  await page.evaluate(() => {
    const box = document.body.insertBefore(document.createElement('input'), document.body.firstChild);
    box.id = 'page-search';
    const seen: string[] = ((window as unknown as { __seen: string[] }).__seen = []);
    // A page shortcut handler as they are written: it skips keys typed into text fields, and
    // does not look at defaultPrevented. Its `/` focuses its own search box.
    document.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement) return;
      seen.push(e.key);
      if (e.key === '/') {
        e.preventDefault();
        box.focus();
      }
    });
  });
  const seen = () => page.evaluate(() => (window as unknown as { __seen: string[] }).__seen.splice(0));
  const timeline = page.locator('spanbeam-viewer .timeline');
  await timeline.focus();
  // The timeline's keys: zoom, pan, select, zoom to it, reset, help, clear.
  for (const k of ['w', 'd', 'ArrowRight', 'f', '0', 'n', '?']) await page.keyboard.press(k);
  await expect(page.locator('spanbeam-viewer .help')).toBeVisible();
  await page.keyboard.press('Escape'); // closes the help
  await timeline.focus();
  await page.keyboard.press('Escape'); // clears the selection
  expect(await seen()).toEqual([]);
  // `/` goes to the viewer's search box, not the page's.
  await page.keyboard.press('/');
  await expect(page.locator('spanbeam-viewer input[type=search]')).toBeFocused();
  expect(await seen()).toEqual([]);
  // A track name: its tree keys and the timeline's.
  await page.locator('spanbeam-viewer .track-label').first().focus();
  for (const k of ['ArrowDown', 's']) await page.keyboard.press(k);
  expect(await seen()).toEqual([]);
  // The waterfall's ?.
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  await page.locator('spanbeam-viewer .wf-row').first().focus();
  await page.keyboard.press('?');
  await expect(page.locator('spanbeam-viewer .help')).toBeVisible();
  await page.keyboard.press('Escape');
  expect(await seen()).toEqual([]);
  // Keys the viewer leaves (nothing selected: Escape; a letter it has no use for) are the page's.
  await page.locator('spanbeam-viewer button.tab-timeline').click();
  await timeline.focus();
  for (const k of ['Escape', 'x', 'j']) await page.keyboard.press(k);
  expect(await seen()).toEqual(['Escape', 'x', 'j']);
});

test('the wheel over the track names scrolls the tracks while they can scroll, then the page (as a scroll box); over the slices it zooms', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 600 });
  server.page(
    '/long-page.html',
    `<!doctype html><meta charset="utf-8"><body style="margin:0">
<spanbeam-viewer style="height:400px"></spanbeam-viewer><div style="height:3000px">the rest of the page</div>
<script type="module">
import '/test/.build/viewer/viewer.js';
const traceEvents = [];
for (let p = 1; p <= 40; p++) {
  traceEvents.push({ ph: 'M', name: 'process_name', pid: p, args: { name: 'P' + p } });
  traceEvents.push({ ph: 'X', name: 'work' + p, pid: p, tid: 1, ts: p * 10, dur: 100 });
}
window.__traces = { tall: { traceEvents }, short: { traceEvents: traceEvents.slice(0, 2) } };
await customElements.whenDefined('spanbeam-viewer');
window.__ready = true;
</script></body>`,
  );
  await page.goto(`${server.origin}/long-page.html`);
  await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
  const load = (k: string) => page.evaluate((k) => (document.querySelector('spanbeam-viewer') as unknown as V).load((window as unknown as { __traces: Record<string, unknown> }).__traces[k]), k);
  const state = () =>
    page.evaluate(() => {
      const v = document.querySelector('spanbeam-viewer') as unknown as V & { stats: { scrollY: number; startNs: number; endNs: number } };
      return { page: Math.round(scrollY), tracks: v.stats.scrollY, span: v.stats.endNs - v.stats.startNs };
    });
  const wheel = async (x: number, dy: number) => {
    await page.mouse.move(x, 200);
    await page.mouse.wheel(0, dy);
    await page.waitForTimeout(300);
  };
  // One track (all shown): the wheel over its name scrolls the page.
  await load('short');
  await wheel(30, 200);
  expect((await state()).page).toBe(200);
  await page.evaluate(() => scrollTo(0, 0));
  // A sideways wheel (a trackpad swipe, which the browser may take for Back) stays the viewer's.
  await page.evaluate(() => document.addEventListener('wheel', (e) => ((window as unknown as { __prevented: boolean }).__prevented = e.defaultPrevented)));
  await page.mouse.move(30, 200);
  await page.mouse.wheel(200, 0);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __prevented?: boolean }).__prevented)).toBe(true);
  // 40 tracks: the wheel scrolls them, the page stays; at their end, the page scrolls.
  await load('tall');
  await wheel(30, 200);
  let s = await state();
  expect([s.page, s.tracks]).toEqual([0, 200]);
  await wheel(30, -200);
  expect(await state()).toMatchObject({ page: 0, tracks: 0 });
  await wheel(30, -200); // at the top already
  expect((await state()).page).toBe(0);
  await wheel(30, 5000);
  s = await state();
  expect(s.page).toBe(0);
  const end = s.tracks;
  await wheel(30, 200);
  expect(await state()).toMatchObject({ page: 200, tracks: end });
  await page.evaluate(() => scrollTo(0, 0));
  // Over the slices the wheel zooms, whatever the tracks can do.
  const before = (await state()).span;
  await wheel(600, -200);
  s = await state();
  expect(s.page).toBe(0);
  expect(s.span).toBeLessThan(before);
});
