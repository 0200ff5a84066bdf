import { test, expect, type Browser, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, esmBundle, openApp, waitForSpans, one, received, type RSpan } from './instrument-support';

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

test('a handler that awaits a slow request, then requests again: both are the click’s (its requests hold the window open)', async ({ page }) => {
  // Before, the window closed 500 ms after the handler returned: the second request, 2 s later, was a trace of its own.
  await openApp(page, server);
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'slow';
    document.body.append(b);
    b.addEventListener('click', async () => {
      await (await fetch('/api/slow?from=first')).text();
      await new Promise((r) => setTimeout(r, 300));
      fetch('/api/data?from=second');
    });
  });
  await page.click('#slow');
  const spans = await waitForSpans(page, server, hasFetch('second'));
  const click = one(spans, (s) => s.name === 'click button#slow');
  expect(fetchFrom(spans, 'first').parentSpanId).toBe(click.spanId);
  expect(fetchFrom(spans, 'second').parentSpanId).toBe(click.spanId);
});

test('a request that never ends (a long-poll, a stream) holds the click’s window open for 15 s, not for the visit', async ({ page }) => {
  test.setTimeout(45_000);
  server.route('/api/hang', (_q, res) => void res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': open\n\n'));
  await openApp(page, server);
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'listen';
    document.body.append(b);
    b.addEventListener('click', () => void fetch('/api/hang?from=hang'));
  });
  await page.click('#listen');
  const at = Date.now();
  // While it is in flight, a request with no active span joins the click (as in a Sentry idle span) …
  await page.waitForTimeout(3000);
  await page.evaluate(() => fetch('/api/data?from=held'));
  // … but not once 15 s have passed.
  await page.waitForTimeout(at + 16_000 - Date.now());
  await page.evaluate(() => fetch('/api/data?from=free'));
  const spans = await waitForSpans(page, server, hasFetch('free'));
  const click = one(spans, (s) => s.name === 'click button#listen');
  expect(fetchFrom(spans, 'held').parentSpanId).toBe(click.spanId);
  expect(fetchFrom(spans, 'free').parentSpanId).toBe('');
  expect(fetchFrom(spans, 'free').traceId).not.toBe(click.traceId);
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

/** Loads `html` in a fresh page, clicks `#b` `clicks` times and returns `window.log` and page errors. */
async function clickLog(browser: Browser, path: string, html: string, clicks = 1) {
  server.page(path, `<!doctype html>${html}`);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.origin + path);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready);
  for (let i = 0; i < clicks; i++) await page.click('#b');
  const log = await page.evaluate(() => (window as unknown as { log: string[] }).log);
  await page.close();
  return { log, errors };
}

const SDK_ZONE = `<script src="/sb-zone.js"></script><script>window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory' } });</script>`;

test('a bare addEventListener() call in a classic script works with the strict (ES module) SDK', async ({ browser }) => {
  const js = await esmBundle();
  server.route('/sb.mjs', (_q, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end(js));
  // Without a receiver (`this` is undefined in the SDK's strict wrapper) WebIDL uses the global object.
  const page = (sdk: string) => `<button id="b">b</button>
    <script type="module">${sdk}
      window.log = [];
      const f = () => log.push('clicked');
      try { window.add('click', f); window.add('click', f); log.push('added'); } catch (e) { log.push('threw ' + e.message); }
      window.ready = true;</script>
    <script>window.add = function (t, f) { addEventListener(t, f); };</script>`;
  const plain = await clickLog(browser, '/bare-plain.html', page(''));
  expect(plain).toEqual({ log: ['added', 'clicked'], errors: [] });
  const sdk = `import { start } from '/sb.mjs'; start({ endpoint: '/v1/traces', exporter: { outbox: 'memory' } });`;
  expect(await clickLog(browser, '/bare-sdk.html', page(sdk))).toEqual(plain);
});

test('a listener added again is ignored as natively: before and after start(), and with once or signal', async ({ browser }) => {
  // Natively a second registration of the same (type, listener, capture) is a no-op, whatever its
  // once/signal options: f runs on every click, g (once first) on the first only, h never (removed).
  const html = (sdk: string) => `<button id="b">b</button><script>
      window.log = []; window.b = document.getElementById('b');
      window.f = () => log.push('f'); window.g = () => log.push('g'); window.h = () => log.push('h');
      b.addEventListener('click', f);</script>${sdk}<script>
      const ac = new AbortController();
      b.addEventListener('click', f);
      b.addEventListener('click', f, { once: true });
      b.addEventListener('click', f, { signal: ac.signal });
      b.addEventListener('click', g, { once: true });
      b.addEventListener('click', g);
      b.addEventListener('click', h, { once: true });
      b.removeEventListener('click', h);
      window.ready = true;</script>`;
  const plain = await clickLog(browser, '/dup-plain.html', html(''), 2);
  expect(plain).toEqual({ log: ['f', 'g', 'f'], errors: [] });
  expect(await clickLog(browser, '/dup-sdk.html', html(SDK_ZONE), 2)).toEqual(plain);
  expect(await clickLog(browser, '/dup-sdk-nozone.html', html(SDK_ZONE.replace('/sb-zone.js', '/sb.js')), 2)).toEqual(plain);
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

/** Opens `body` with the SDK; after `act`, waits for the fetch `from` and returns the interaction span names. */
async function interactions(page: Page, body: string, from: string, act: () => Promise<void>): Promise<string[]> {
  server.page(`/${from}.html`, `<!doctype html>${SDK_ZONE}${body}`);
  await page.goto(`${server.origin}/${from}.html`);
  await act();
  await waitForSpans(page, server, hasFetch(from));
  await page.waitForTimeout(150);
  await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  return received(server)
    .filter((s) => 'interaction.type' in s.attributes)
    .map((s) => s.name);
}

test('a click on a <label> is one interaction with the click and change it causes on its control', async ({ page }) => {
  const body = `<label id="lab" for="cb">Subscribe</label><input id="cb" type="checkbox" />
    <script>document.getElementById('cb').addEventListener('change', () => fetch('/api/data?from=label'));</script>`;
  expect(await interactions(page, body, 'label', () => page.click('#lab'))).toEqual(['click label#lab']);
});

test('Enter in a form field is one interaction with the implicit submission’s click and submit', async ({ page }) => {
  const body = `<form id="f"><input id="q" type="text" /><button id="go" type="submit">Go</button></form>
    <script>document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault(); fetch('/api/data?from=implicit'); });</script>`;
  const names = await interactions(page, body, 'implicit', async () => {
    await page.focus('#q');
    await page.keyboard.press('Enter');
  });
  expect(names).toEqual(['keydown input#q']);
});

test('Enter that commits an IME composition, or starts a paragraph in a rich-text editor, is no interaction', async ({ page }) => {
  const body = `<input id="ime" /><div id="ed" contenteditable role="textbox">text</div><button id="done">done</button>
    <script>document.getElementById('done').addEventListener('click', () => fetch('/api/data?from=keys-done'));</script>`;
  const names = await interactions(page, body, 'keys-done', async () => {
    // Japanese or Chinese input: the Enter that picks the characters (isComposing).
    await page.evaluate(() => document.getElementById('ime')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true })));
    await page.focus('#ed'); // Lexical, Slate, ProseMirror: Enter is a new paragraph
    await page.keyboard.press('Enter');
    await page.click('#done');
  });
  expect(names).toEqual(['click button#done']);
});

test('Space held on a button or checkbox is one interaction with the click (and change) on keyup', async ({ page }) => {
  const body = `<button id="b">b</button><input id="cb" type="checkbox" /><script>
      document.getElementById('b').addEventListener('click', () => fetch('/api/data?from=space-b'));
      document.getElementById('cb').addEventListener('change', () => fetch('/api/data?from=space-cb'));</script>`;
  const names = await interactions(page, body, 'space-cb', async () => {
    for (const id of ['#b', '#cb']) {
      await page.focus(id);
      await page.keyboard.down(' ');
      await page.waitForTimeout(80);
      await page.keyboard.up(' ');
    }
  });
  expect(names).toEqual(['keydown button#b', 'keydown input#cb']);
  // The keyup click is the keydown span's, and so is the request it makes.
  const spans = received(server);
  expect(fetchFrom(spans, 'space-b').parentSpanId).toBe(one(spans, (s) => s.name === 'keydown button#b').spanId);
});

test('an event the page dispatches while an interaction runs is part of it (a handler’s fileInput.click())', async ({ page }) => {
  // An onclick attribute runs unwrapped: before, the file input's click was a trace of its own,
  // which the request after it joined.
  const body = `<button id="b" onclick="document.getElementById('file').click(); fetch('/api/data?from=nested')">Upload</button>
    <input id="file" type="file" hidden /><script>document.getElementById('file').addEventListener('click', (e) => e.preventDefault());</script>`;
  expect(await interactions(page, body, 'nested', () => page.click('#b'))).toEqual(['click button#b']);
  const spans = received(server);
  expect(fetchFrom(spans, 'nested').parentSpanId).toBe(one(spans, (s) => s.name === 'click button#b').spanId);
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

test('an SVG target is described by its classes (className is an SVGAnimatedString)', async ({ page }) => {
  await openApp(page, server);
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('beforeend', '<svg width="40" height="40"><circle class="dot hit" cx="20" cy="20" r="20"/></svg>');
    document.querySelector('circle')!.addEventListener('click', () => void fetch('/api/data?from=svg'));
  });
  await page.click('circle');
  const spans = await waitForSpans(page, server, hasFetch('svg'));
  expect(fetchFrom(spans, 'svg').parentSpanId).toBe(one(spans, (s) => s.name === 'click circle.dot.hit').spanId);
});

test('add/removeEventListener with too few arguments throw as natively', async ({ browser }) => {
  const html = (sdk: string) => `<button id="b">b</button>${sdk}<script>
      window.log = [];
      const b = document.getElementById('b');
      for (const f of [() => b.addEventListener('click'), () => b.removeEventListener('click'), () => b.addEventListener()])
        try { f(); log.push('no error'); } catch (e) { log.push(e.name); }
      window.ready = true;</script>`;
  const plain = await clickLog(browser, '/arity-plain.html', html(''), 0);
  expect(plain).toEqual({ log: ['TypeError', 'TypeError', 'TypeError'], errors: [] });
  expect(await clickLog(browser, '/arity-sdk.html', html(SDK_ZONE), 0)).toEqual(plain);
});

test('after uninstall, a listener added inside a zone (an Angular NgZone) still runs in that zone', async ({ page }) => {
  server.page('/zone-uninstall.html', `<!doctype html>${SDK_ZONE}<button id="b">b</button>`);
  await page.goto(`${server.origin}/zone-uninstall.html`);
  const log = await page.evaluate(() => {
    type Z = { name: string; fork(spec: object): Z; run<T>(fn: () => T): T };
    const Zone = (window as unknown as { Zone: { current: Z } }).Zone;
    const log: string[] = [];
    const ng = Zone.current.fork({ name: 'angular', properties: { isAngular: true } });
    const b = document.getElementById('b')!;
    // Angular's change detection follows tasks run in its zone (or a zone forked from it).
    ng.run(() => b.addEventListener('click', () => log.push(String((Zone.current as unknown as { get(k: string): unknown }).get('isAngular')))));
    b.click();
    (window as unknown as { handle: { uninstall(): void } }).handle.uninstall();
    b.click();
    return log;
  });
  expect(log).toEqual(['true', 'true']);
});

test('interaction spans name their target by data-trace-name, id (not a generated one), role/aria-label/name/type or classes, never by text', async ({ page }) => {
  const body = `
    <div data-trace-name="Named box"><span id="in-named">text</span></div>
    <button id="save" data-trace-name="Save draft">Save</button>
    <button id="b1"><span class="icon">label</span></button>
    <div role="toolbar"><button id="bold"><b>B</b></button></div>
    <p class=" lead  note more ">Paragraph text</p>
    <div role="button" aria-label="Close dialog" class="x">close</div>
    <input type="checkbox" name="agree" />
    <button type="submit" class="primary big extra">Send</button>
    <div onclick="" class="tile"><em>tile</em></div>
    <div data-trace-name="${'n'.repeat(100)}">long</div>
    <div role="${'r'.repeat(60)}">long role</div>
    <section class="lone">plain</section>
    <button id=":r3:" aria-label="Open menu">m</button><button id="«r5»" class="trigger">t</button><li id="row-42" class="row">r</li>
    <button id="_r_a_" class="rx">x</button><button id="menu-_r_b_" class="mx">y</button>`;
  server.page('/describe.html', `<!doctype html>${SDK_ZONE}${body}`);
  await page.goto(`${server.origin}/describe.html`);
  await page.waitForFunction(() => 'handle' in window);
  for (const sel of ['#in-named', '#save', '#b1 span', '#bold b', 'p', '[role=button]', 'input', 'button[type=submit]', '.tile em', 'div[data-trace-name^=nnn]', 'div[role^=rrr]', 'section', '[aria-label="Open menu"]', '.trigger', '.row', '.rx', '.mx'])
    await page.click(sel);
  // A click whose path holds no element (dispatched on the document).
  await page.evaluate(() => document.dispatchEvent(new MouseEvent('click', { bubbles: true })));
  const expected = [
    'click Named box',
    'click Save draft',
    // Ids of letters and '-' only: one with a digit, or React's useId (:r3:, «r5», _r_a_, also
    // behind a prefix), may change from mount to mount.
    'click button',
    'click button#bold', // the nearest control, not the toolbar around it
    'click p.lead.note',
    'click div[role="button"][aria-label="Close dialog"]',
    'click input[name="agree"][type="checkbox"]',
    'click button.primary.big',
    'click div.tile',
    `click ${'n'.repeat(80)}`, // cut to 80 characters
    `click div[role="${'r'.repeat(40)}"]`,
    'click section.lone',
    'click button[aria-label="Open menu"]',
    'click button.trigger',
    'click li.row',
    'click button.rx',
    'click button.mx',
    'click document',
  ];
  const spans = await waitForSpans(page, server, (s) => s.filter((x) => 'interaction.type' in x.attributes).length >= expected.length);
  const clicks = spans.filter((s) => 'interaction.type' in s.attributes);
  expect(clicks.map((s) => s.name).sort()).toEqual(expected.sort());
  for (const s of clicks) expect(s.attributes['interaction.target']).toBe(s.name.slice('click '.length));
});

test('the span lasts while handlers the SDK did not wrap run: an onclick attribute or property, a listener added before start()', async ({ page }) => {
  // Each handler keeps the main thread busy for 120 ms; before, their spans ended when the
  // interaction began (about 1 ms), as only wrapped listeners moved the end.
  const busy = 'const u = performance.now() + 120; while (performance.now() < u);';
  server.page(
    '/unwrapped.html',
    `<!doctype html><button id="attr" onclick="${busy}">a</button><button id="early">e</button><button id="prop">p</button>
     <script>document.getElementById('early').addEventListener('click', () => { ${busy} });</script>
     <script src="/sb.js"></script><script>window.handle = Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory' } });
       document.getElementById('prop').onclick = () => { ${busy} };</script>`,
  );
  await page.goto(`${server.origin}/unwrapped.html`);
  for (const id of ['#attr', '#early', '#prop']) await page.click(id);
  const spans = await waitForSpans(page, server, (s) => s.filter((x) => 'interaction.type' in x.attributes).length === 3);
  for (const name of ['click button#attr', 'click button#early', 'click button#prop']) {
    const s = one(spans, (x) => x.name === name);
    expect(s.end - s.start, name).toBeGreaterThanOrEqual(115);
  }
});
