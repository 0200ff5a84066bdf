import { test, expect } from '@playwright/test';
import type { TestServer } from '../support/server';
import { startServer } from '../support/server';
import { appServer, openApp, waitForSpans, one, byName, received } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

const reqHeaders = (path: string) => server.requests.filter((r) => r.path === path).map((r) => r.headers);

test('fetch(Request) keeps method, body and headers, adds traceparent, and reports a CLIENT span', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const h = new Headers({ 'x-app': '1' });
    const req = new Request('/api/data?token=s3cr3t&page=2', { method: 'POST', body: 'hello', headers: h });
    const res = await fetch(req);
    return { json: await res.json(), isResponse: res instanceof Response, bodyUsed: req.bodyUsed, appHeaders: [...h.keys()], reqHeaders: [...req.headers.keys()] };
  });
  expect(out).toEqual({ json: { ok: true, method: 'POST' }, isResponse: true, bodyUsed: true, appHeaders: ['x-app'], reqHeaders: ['content-type', 'x-app'] });
  const [sent] = reqHeaders('/api/data');
  expect(sent['x-app']).toBe('1');
  expect(sent.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]$/);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'POST').length === 1);
  const s = one(spans, (x) => x.name === 'POST');
  expect(s.kind).toBe(3); // OTLP CLIENT
  expect(s.attributes).toMatchObject({
    'http.request.method': 'POST',
    'url.full': `${server.origin}/api/data?token=REDACTED&page=2`,
    'server.address': '127.0.0.1',
    'server.port': server.port,
    'http.response.status_code': 200,
  });
  // The header carries this span's ids.
  expect(sent.traceparent).toContain(`${s.traceId}-${s.spanId}`);
  // Network phases from Resource Timing.
  expect(s.events.map((e) => e.name)).toEqual(expect.arrayContaining(['fetchStart', 'requestStart', 'responseStart', 'responseEnd']));
});

test('fetch(url, init) with Headers, arrays and objects leaves the app objects untouched', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const h = new Headers({ a: '1' });
    const arr: [string, string][] = [['b', '2']];
    const obj = { c: '3' };
    const i1 = { headers: h };
    await fetch('/api/data?1', i1);
    await fetch('/api/data?2', { headers: arr });
    await fetch(new URL('/api/data?3', location.href), { headers: obj });
    return { h: [...h.entries()], arr, obj, same: i1.headers === h };
  });
  expect(out).toEqual({ h: [['a', '1']], arr: [['b', '2']], obj: { c: '3' }, same: true });
  const sent = reqHeaders('/api/data');
  expect(sent.map((h) => [h.a ?? h.b ?? h.c, !!h.traceparent])).toEqual([
    ['1', true],
    ['2', true],
    ['3', true],
  ]);
});

test('a streamed response read by the page is neither consumed nor teed, and the span ends at its end', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const t0 = performance.timeOrigin + performance.now();
    const res = await fetch('/api/stream');
    const same = res.body === res.body;
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
    return { text, same, locked: res.body!.locked, t0, t1: performance.timeOrigin + performance.now() };
  });
  expect(out.text).toBe('chunk0\nchunk1\nchunk2\nchunk3\nchunk4\n');
  expect(out.same).toBe(true);
  expect(out.locked).toBe(true);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 1);
  const s = one(spans, (x) => x.name === 'GET');
  // Five chunks 30 ms apart: the span covers the body, not just the headers.
  expect(s.end - s.start).toBeGreaterThan(100);
  expect(s.end).toBeLessThanOrEqual(out.t1 + 5);
});

test('a body the page cancels ends the span at the cancel; the body hooks are in before the first response reaches the page', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    type W = { handle: { shutdown(): Promise<void> }; Spanbeam: { start(o: object): unknown } };
    const w = window as unknown as W;
    const wrapped = () => !!(Response.prototype.text as unknown as Record<string, unknown>).__spanbeam_original;
    // A fresh start(): the prototypes are left alone until a traced response (or idle time) needs them.
    await w.handle.shutdown();
    w.Spanbeam.start({ serviceName: 'instrument-test', endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });
    const atStart = wrapped();
    const res = await fetch('/api/stream?n=60');
    const atResponse = wrapped();
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    return { atStart, atResponse, first, cancelledAt: performance.timeOrigin + performance.now() };
  });
  expect([out.atStart, out.atResponse]).toEqual([false, true]);
  // The page read the start of the stream (on a busy machine a read may hold a few chunks) and
  // cancelled it well before its end.
  expect(out.first).toMatch(/^chunk0\n/);
  expect(out.first).not.toContain('chunk10');
  // The span ends at the cancel (the stream itself would have run 1.8 s), not when the page hides.
  // (A 600 ms stream left too little room: a loaded machine once took 500 ms to the cancel.)
  // Usually no Resource Timing entry comes for a cancelled body and the end is the cancel itself;
  // on a busy machine Chromium sometimes reports one whose responseEnd is when its network side
  // saw the cancel, a few ms later.
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 1);
  const s = one(spans, (x) => x.name === 'GET');
  expect(s.end).toBeLessThanOrEqual(out.cancelledAt + 60);
  expect(s.end - s.start).toBeLessThan(1200);
});

test('an aborted fetch rejects exactly as without the SDK and is recorded as aborted', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const c = new AbortController();
    const reason = new Error('stop');
    const p = fetch('/api/slow', { signal: c.signal });
    setTimeout(() => c.abort(reason), 50);
    try {
      await p;
      return 'resolved';
    } catch (e) {
      return e === reason ? 'same reason' : String(e);
    }
  });
  expect(out).toBe('same reason');
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 1);
  const s = one(spans, (x) => x.name === 'GET');
  expect(s.status.code).toBe(2);
  expect(s.attributes['error.type']).toBe('Error');
});

test('network errors and 4xx: error.type, ERROR status; the rejection is the native TypeError', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const r = await fetch('/api/404');
    let err = '';
    try {
      await fetch('http://127.0.0.1:1/unreachable');
    } catch (e) {
      err = (e as Error).name;
    }
    return { status: r.status, err };
  });
  expect(out).toEqual({ status: 404, err: 'TypeError' });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2);
  const e404 = one(spans, (x) => x.attributes['http.response.status_code'] === 404);
  expect(e404.attributes['error.type']).toBe('404');
  expect(e404.status.code).toBe(2);
  const net = one(spans, (x) => String(x.attributes['url.full']).includes(':1/'));
  expect(net.attributes['error.type']).toBe('TypeError');
  expect(net.status.code).toBe(2);
});

test('cross-origin: no header and no preflight unless allowlisted; header when allowlisted', async ({ page }) => {
  const other = await startServer({ corsOrigins: [] });
  other.route('/x', (_q, res) => void res.writeHead(200, { 'access-control-allow-origin': '*' }).end('ok'));
  try {
    await openApp(page, server);
    const plain = await page.evaluate((u) => Promise.all([fetch(u).then((r) => r.text()), fetch(new Request(u)).then((r) => r.text())]), `${other.origin}/x`);
    expect(plain).toEqual(['ok', 'ok']);
    expect(other.requests.map((r) => [r.method, r.headers.traceparent])).toEqual([
      ['GET', undefined],
      ['GET', undefined],
    ]);
  } finally {
    await other.close();
  }

  const allowed = await startServer();
  allowed.corsOrigins.push(server.origin);
  allowed.route('/x', (_q, res) => void res.end('ok'));
  try {
    const page2 = await page.context().newPage();
    await openApp(page2, server, { propagateTo: [allowed.origin] });
    const text = await page2.evaluate((u) => fetch(u).then((r) => r.text()), `${allowed.origin}/x`);
    expect(text).toBe('ok');
    const get = allowed.requests.find((r) => r.method === 'GET')!;
    expect(get.headers.traceparent).toMatch(/^00-/);
  } finally {
    await allowed.close();
  }
});

test('a sandboxed page (opaque origin) sends no trace headers to its URL’s origin: its requests there are cross-origin', async ({ page }) => {
  // `location.origin` is still the URL's origin, but the document's origin is `null`: the browser
  // sends `Origin: null` and a header would need a preflight, which this server (like most) refuses.
  server.route('/open', (_q, res) => void res.writeHead(200, { 'access-control-allow-origin': '*' }).end('ok'));
  server.page('/sandboxed.html', '<!doctype html><script src="/sb.js"></script><script>window.handle = Spanbeam.start({ serviceName: "s" });</script>', {
    'content-security-policy': 'sandbox allow-scripts',
  });
  await page.goto(`${server.origin}/sandboxed.html`);
  const out = await page.evaluate(async () => {
    const viaFetch = await fetch('/open?f').then((r) => r.text(), String);
    const viaXhr = await new Promise((done) => {
      const x = new XMLHttpRequest();
      x.open('GET', '/open?x');
      x.onloadend = () => done(x.responseText || `status ${x.status}`);
      x.send();
    });
    return { origin: self.origin, viaFetch, viaXhr };
  });
  expect(out).toEqual({ origin: 'null', viaFetch: 'ok', viaXhr: 'ok' });
  const sent = server.requests.filter((r) => r.path === '/open');
  expect(sent.map((r) => [r.method, r.headers.origin, r.headers.traceparent])).toEqual([
    ['GET', 'null', undefined],
    ['GET', 'null', undefined],
  ]);
});

test('a <base href> to another origin: relative URLs go there as the browser resolves them, without trace headers', async ({ page }) => {
  const other = await startServer();
  other.route('/rel', (_q, res) => void res.writeHead(200, { 'access-control-allow-origin': '*' }).end('ok'));
  try {
    server.page('/based.html', `<!doctype html><base href="${other.origin}/"><script src="${server.origin}/sb.js"></script><script>window.handle = Spanbeam.start({ serviceName: "b", endpoint: "${server.origin}/v1/traces", exporter: { outbox: "memory" } });</script>`);
    await page.goto(`${server.origin}/based.html`);
    const out = await page.evaluate(() => Promise.all([fetch('rel?f').then((r) => r.text()), new Promise((done) => {
      const x = new XMLHttpRequest();
      x.open('GET', 'rel?x');
      x.onloadend = () => done(x.responseText);
      x.send();
    })]));
    expect(out).toEqual(['ok', 'ok']);
    expect(other.requests.filter((r) => r.path === '/rel').map((r) => [r.method, r.headers.traceparent])).toEqual([
      ['GET', undefined],
      ['GET', undefined],
    ]);
    const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2);
    expect(byName(spans, 'GET').map((s) => s.attributes['url.full']).sort()).toEqual([`${other.origin}/rel?f`, `${other.origin}/rel?x`]);
  } finally {
    await other.close();
  }
});

test("the exporter's own requests and ignoreUrls are not traced", async ({ page }) => {
  await openApp(page, server, { ignoreUrls: ['/api/404'] });
  await page.evaluate(() => Promise.all([fetch('/api/404'), fetch('/api/data?x')]));
  await waitForSpans(page, server, (s) => byName(s, 'GET').length >= 1);
  await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  const urls = received(server)
    .filter((s) => s.kind === 3)
    .map((s) => s.attributes['url.full']);
  expect(urls).toEqual([`${server.origin}/api/data?x`]);
  expect(reqHeaders('/api/404')[0].traceparent).toBeUndefined();
  expect(reqHeaders('/v1/traces')[0].traceparent).toBeUndefined();
});

test('relative URLs resolve against the page’s current base, also after pushState', async ({ page }) => {
  await openApp(page, server);
  const statuses = await page.evaluate(async () => {
    const a = await fetch('api/data?same');
    history.pushState(null, '', '/api/x/page');
    const b = await fetch('api/data?same'); // the same string, now under /api/x/
    return [a.status, b.status];
  });
  expect(statuses).toEqual([200, 404]);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2);
  const urls = byName(spans, 'GET').map((s) => s.attributes['url.full']).sort();
  expect(urls).toEqual([`${server.origin}/api/data?same`, `${server.origin}/api/x/api/data?same`]);
});

test('fetch(Request with a body, mode no-cors) works as without the SDK: its body is not used up first', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const run = async (f: typeof fetch) => {
      try {
        return `ok ${(await f(new Request('/api/data?nocors', { method: 'POST', body: 'x', mode: 'no-cors' }))).status}`;
      } catch (e) {
        return `err ${String(e)}`;
      }
    };
    const native = (fetch as unknown as { __spanbeam_original: typeof fetch }).__spanbeam_original;
    return { native: await run(native), instrumented: await run(fetch) };
  });
  expect(out).toEqual({ native: 'ok 200', instrumented: 'ok 200' });
});

test('fetch(Request from another realm) keeps its headers, gets traceparent and is traced under its URL', async ({ page }) => {
  await openApp(page, server);
  const text = await page.evaluate(async () => {
    const f = document.createElement('iframe');
    f.src = '/api/data?frame';
    document.body.append(f);
    await new Promise((r) => (f.onload = r));
    const R = (f.contentWindow as unknown as { Request: typeof Request }).Request;
    const res = await fetch(new R(location.origin + '/api/data?realm', { method: 'PUT', headers: { 'x-app': '1' } }));
    return res.text();
  });
  expect(JSON.parse(text)).toEqual({ ok: true, method: 'PUT' });
  const sent = reqHeaders('/api/data').find((h) => h['x-app'])!;
  expect(sent['x-app']).toBe('1');
  expect(sent.traceparent).toMatch(/^00-/);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'PUT').length === 1, 3000);
  expect(spans.find((s) => s.name === 'PUT')!.attributes['url.full']).toBe(`${server.origin}/api/data?realm`);
});

test('a failed request’s span status holds no browser error message (it has the unredacted URL)', async ({ page }) => {
  await openApp(page, server);
  const msg = await page.evaluate(
    (port) => fetch(`http://user:hunter2@127.0.0.1:${port}/api/data?x`).then(() => 'resolved', String),
    server.port,
  );
  expect(msg).toContain('hunter2'); // the browser's own message has it
  await waitForSpans(page, server, (s) => byName(s, 'GET').length === 1);
  const s = byName(received(server), 'GET')[0];
  expect(s.attributes['url.full']).toBe(`http://REDACTED:REDACTED@127.0.0.1:${server.port}/api/data?x`);
  expect(s.status).toEqual({ code: 2, message: 'TypeError' });
  expect(server.received.map((r) => r.raw.toString('utf8')).join('\n')).not.toContain('hunter2');
});

test('two concurrent fetches to one URL each end at their own response', async ({ page }) => {
  let n = 0;
  server.route('/api/race', (_q, res) => {
    const delay = n++ === 0 ? 1500 : 0;
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('r'), delay);
  });
  await openApp(page, server);
  const t = await page.evaluate(async () => {
    const now = () => performance.timeOrigin + performance.now();
    const a = fetch('/api/race', { cache: 'no-store' }).then(async (r) => (await r.text(), now()));
    await new Promise((r) => setTimeout(r, 50));
    const b = fetch('/api/race', { cache: 'no-store' }).then(async (r) => (await r.text(), now()));
    return { b: await b, a: await a };
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2);
  const [a, b] = reqHeaders('/api/race').map((h) => spans.find((s) => s.spanId === String(h.traceparent).split('-')[2])!);
  expect(a.end - a.start).toBeGreaterThan(1000);
  expect(a.end).toBeGreaterThan(t.a - 200);
  expect(b.end).toBeLessThan(t.b + 200);
  expect(b.end).toBeLessThan(t.a - 500);
});

test('with zone.js the page may read the body before our response callback runs: its end is still seen (no Resource Timing)', async ({ page }) => {
  // No entries: the spans can only end at their body's end (or when the page hides).
  await page.addInitScript(() => {
    (window as unknown as { PerformanceObserver: unknown }).PerformanceObserver = class {
      static supportedEntryTypes = [];
      observe() {}
      disconnect() {}
    };
  });
  await openApp(page, server); // /sb-zone.js
  await page.evaluate(async () => {
    await (await fetch('/api/data?text')).text();
    const reader = (await fetch('/api/stream?reader')).body!.getReader();
    while (!(await reader.read()).done);
  });
  const urls = (s: ReturnType<typeof received>) => byName(s, 'GET').map((x) => String(x.attributes['url.full']));
  await waitForSpans(page, server, (s) => urls(s).some((u) => u.endsWith('?text')) && urls(s).some((u) => u.endsWith('?reader')), 2000);
});

test('body reads the page does not catch reject unhandled exactly as without the SDK (also while a traced fetch is in flight)', async ({ page }) => {
  server.page('/plain.html', '<!doctype html><title>no SDK</title>');
  // Run as a page script: rejections from code Playwright evaluates are not all reported.
  const probe = async () => {
    await page.evaluate(() => {
      const w = window as unknown as { seen: string[]; done?: boolean };
      w.seen = [];
      w.done = false;
      addEventListener('unhandledrejection', (e) => w.seen.push(`${(e.reason as Error).name}`));
    });
    await page.addScriptTag({
      content: `(async () => {
        const slow = fetch('/api/slow'); // in flight throughout
        void new Response('nope').json(); // never caught: SyntaxError
        const res = await fetch('/api/data');
        await res.text();
        void res.text(); // body already used: TypeError, never caught
        const caught = await new Response('nope').json().then(() => 'ok', (e) => e.name);
        seen.push('caught ' + caught);
        await new Promise((r) => setTimeout(r, 300));
        done = true;
        await slow;
      })()`,
    });
    await page.waitForFunction(() => (window as unknown as { done: boolean }).done);
    return page.evaluate(() => (window as unknown as { seen: string[] }).seen.sort());
  };
  await page.goto(`${server.origin}/plain.html`);
  const native = await probe();
  expect(native).toEqual(['SyntaxError', 'TypeError', 'caught SyntaxError']);
  await openApp(page, server);
  expect(await probe()).toEqual(native);
  // The body end of the traced request is still seen.
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2);
  expect(byName(spans, 'GET').map((s) => s.attributes['http.response.status_code']).sort()).toEqual([200, 200]);
});

test('a fetch the page does not catch rejects unhandled exactly as without the SDK', async ({ page }) => {
  // Observing fetch's own promise would mark it handled: no `unhandledrejection`, so error
  // monitoring would not hear of the failure. With zone.js, a rejection of a ZoneAwarePromise is
  // logged by zone.js instead of raising the event: the page's promise must stay a native one.
  let logged: string[] = [];
  page.on('pageerror', (e) => logged.push(`uncaught ${e.message}`));
  page.on('console', (m) => void (m.type() === 'error' && m.text().includes('Failed to fetch') && logged.push('logged')));
  for (const b of ['/sb.js', '/sb-zone.js']) {
    const probe = async (start: boolean) => {
      server.page('/uncaught.html', `<!doctype html><script src="${b}"></script><script>
        window.handle = ${start} && Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });
        window.seen = [];
        addEventListener('unhandledrejection', (e) => seen.push(e.reason.name));
        fetch('http://127.0.0.1:1/unreachable');
        fetch('http://127.0.0.1:1/caught').catch(() => seen.push('caught'));
      </script>`);
      logged = [];
      await page.goto(`${server.origin}/uncaught.html`);
      await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.includes('caught'));
      await page.waitForTimeout(300);
      return { events: await page.evaluate(() => (window as unknown as { seen: string[] }).seen.sort()), logged };
    };
    const native = await probe(false);
    expect(native, b).toEqual({ events: ['TypeError', 'caught'], logged: ['uncaught Failed to fetch'] });
    expect(await probe(true), b).toEqual(native);
    const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2);
    expect(byName(spans, 'GET').map((s) => s.attributes['error.type'])).toEqual(['TypeError', 'TypeError']);
    server.received.length = 0;
  }
});

test('stream operations on a fetched body that the page does not catch reject unhandled exactly as without the SDK', async ({ page }) => {
  // Our body hooks see when these promises settle; observing the promise the page holds would
  // mark it handled, and error monitoring would never hear of the failure.
  for (const b of ['/sb.js', '/sb-zone.js']) {
    const probe = async (start: boolean) => {
      server.page('/streams.html', `<!doctype html><script src="${b}"></script><script>
        window.handle = ${start} && Spanbeam.start({ endpoint: '/v1/traces', exporter: { outbox: 'memory', maxDelayMs: 20 } });
        window.seen = [];
        addEventListener('unhandledrejection', (e) => seen.push(e.reason.name));
        (async () => {
          const tick = () => new Promise((r) => setTimeout(r, 100));
          let res = await fetch('/api/stream?n=3&locked');
          let reader = res.body.getReader();
          seen.push('cancel');
          res.body.cancel(); // locked: TypeError, never caught
          await tick();
          seen.push('text');
          res.text(); // locked: TypeError, never caught
          await tick();
          await reader.cancel();
          const c = new AbortController();
          res = await fetch('/api/stream?n=20&aborted', { signal: c.signal });
          reader = res.body.getReader();
          await reader.read();
          c.abort();
          seen.push('read');
          reader.read(); // AbortError, never caught
          await tick();
          res = await fetch('/api/stream?n=3&pipe');
          seen.push('pipeTo');
          res.body.pipeTo(new WritableStream({ write() { throw new RangeError('sink'); } })); // never caught
          await tick();
          seen.push('end');
        })();
      </script>`);
      await page.goto(`${server.origin}/streams.html`);
      await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.includes('end'));
      return page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    };
    const native = await probe(false);
    expect(native, b).toEqual(['cancel', 'TypeError', 'text', 'TypeError', 'read', 'AbortError', 'pipeTo', 'RangeError', 'end']);
    expect(await probe(true), b).toEqual(native);
    // The bodies' ends are still seen: the three spans end, the aborted one as aborted.
    const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 3);
    expect(one(spans, (s) => String(s.attributes['url.full']).endsWith('aborted')).attributes['error.type'], b).toBe('AbortError');
    server.received.length = 0;
  }
});

test('fetch() with no argument rejects as without the SDK and requests nothing', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    type NoArgs = () => Promise<Response>;
    const native = (fetch as unknown as { __spanbeam_original: NoArgs }).__spanbeam_original;
    const run = (f: NoArgs) => f().then(() => 'resolved', (e: Error) => `${e.constructor.name}: ${e.message}`);
    return { native: await run(() => native()), instrumented: await run(() => (fetch as unknown as NoArgs)()) };
  });
  expect(out.instrumented).toBe(out.native);
  expect(out.native).toContain('1 argument required');
  await page.evaluate(() => (window as unknown as { handle: { flush(): Promise<void> } }).handle.flush());
  expect(server.requests.filter((r) => r.path === '/undefined')).toEqual([]);
  expect(byName(received(server), 'GET')).toEqual([]);
});

test('fetch is no constructor, and a wrong `this` rejects as natively without using up the Request body or tracing', async ({ page }) => {
  // Without zone.js: its own fetch wrapper (over ours) is a constructible function.
  await openApp(page, server, {}, '/app.html', '/sb.js');
  const run = () =>
    page.evaluate(async () => {
      const native = (fetch as unknown as { __spanbeam_original: typeof fetch }).__spanbeam_original;
      const frame = document.createElement('iframe');
      document.body.append(frame);
      const scenario = async (f: typeof fetch) => {
        const log: unknown[] = [];
        try {
          log.push(typeof new (f as unknown as new (u: string) => unknown)('/api/data?new'));
        } catch (e) {
          log.push(`threw ${String(e)}`);
        }
        log.push('prototype' in f, Object.getOwnPropertyNames(f).filter((k) => k !== '__spanbeam_original' && k !== 'toString').sort().join());
        for (const self of [{}, 1, document, undefined, null, window, frame.contentWindow]) {
          const req = new Request('/api/data?this', { method: 'POST', body: 'abc' });
          log.push(await f.call(self, req).then((r) => `ok ${r.status}`, (e) => `rejected ${String(e)}`), req.bodyUsed);
        }
        return log;
      };
      return { native: await scenario(native), instrumented: await scenario(fetch) };
    });
  const out = await run();
  expect(out.instrumented).toEqual(out.native);
  expect(out.native.slice(0, 3)).toEqual(['threw TypeError: f is not a constructor', false, 'length,name']);
  expect(out.native.slice(3, 5)).toEqual(["rejected TypeError: Failed to execute 'fetch' on 'Window': Illegal invocation", false]);
  // The instrumented scenario's calls that reached the network are traced, but for the one on another window.
  await waitForSpans(page, server, (s) => byName(s, 'POST').length >= 3);
  await page.waitForTimeout(200);
  expect(byName(received(server), 'POST').length).toBe(3);
  expect(server.requests.filter((r) => r.path === '/api/data').length).toBe(8);
  // XHR methods on a wrong `this` throw as natively.
  const xhr = await page.evaluate(() =>
    ['open', 'send', 'abort', 'setRequestHeader'].map((m) => {
      try {
        (XMLHttpRequest.prototype as unknown as Record<string, (...a: unknown[]) => void>)[m].call({}, 'GET', '/api/data');
        return 'ok';
      } catch (e) {
        return String(e);
      }
    }),
  );
  expect(xhr).toEqual(Array(4).fill('TypeError: Illegal invocation'));
});
