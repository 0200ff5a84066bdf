import { test, expect } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, openApp, waitForSpans, one, byName } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

test('XHR: async load, sync, error, abort and timeout keep their semantics and are traced', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const run = (setup: (x: XMLHttpRequest) => void, url: string, method = 'GET') =>
      new Promise<string>((done) => {
        const x = new XMLHttpRequest();
        x.open(method, url);
        x.setRequestHeader('x-app', '1');
        for (const t of ['load', 'error', 'abort', 'timeout']) x.addEventListener(t, () => done(`${t}:${x.status}`));
        setup(x);
        x.send(method === 'POST' ? 'body' : null);
      });
    const load = await run(() => {}, '/api/data?xhr=1&secret=abc', 'POST');
    const sync = new XMLHttpRequest();
    sync.open('GET', '/api/data?xhr=sync', false);
    sync.send();
    const syncText = sync.responseText;
    let syncErr = '';
    const bad = new XMLHttpRequest();
    bad.open('GET', 'http://127.0.0.1:1/x', false);
    try {
      bad.send();
    } catch (e) {
      syncErr = (e as Error).name;
    }
    const error = await run(() => {}, 'http://127.0.0.1:1/y');
    const abort = await run((x) => setTimeout(() => x.abort(), 30), '/api/slow?abort');
    const timeout = await run((x) => (x.timeout = 50), '/api/slow?timeout');
    return { load, syncText, syncErr, error, abort, timeout };
  });
  expect(out).toEqual({
    load: 'load:200',
    syncText: '{"ok":true,"method":"GET"}',
    syncErr: 'NetworkError',
    error: 'error:0',
    abort: 'abort:0',
    timeout: 'timeout:0',
  });
  const posted = server.requests.find((r) => r.method === 'POST' && r.path === '/api/data')!;
  expect(posted.headers['x-app']).toBe('1');
  expect(posted.headers.traceparent).toMatch(/^00-/);
  const spans = await waitForSpans(page, server, (s) => s.filter((x) => x.kind === 3).length === 6);
  const url = (part: string) => one(spans, (s) => s.kind === 3 && String(s.attributes['url.full']).includes(part));
  expect(url('xhr=1').attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200, 'url.full': `${server.origin}/api/data?xhr=1&secret=REDACTED` });
  expect(byName(spans, 'POST')).toHaveLength(1);
  expect(url('xhr=sync').attributes['http.response.status_code']).toBe(200);
  expect(url('/x').attributes['error.type']).toBe('NetworkError');
  expect(url('/y').attributes['error.type']).toBe('NetworkError');
  expect(url('abort').attributes['error.type']).toBe('AbortError');
  expect(url('timeout').attributes['error.type']).toBe('TimeoutError');
});

test('uninstall restores every original; the app keeps working and removeEventListener still works', async ({ page }) => {
  await openApp(page, server, {}, '/app.html', '/sb.js');
  const out = await page.evaluate(async () => {
    const w = window as unknown as { handle: { uninstall(): void }; Spanbeam: unknown };
    type M = Record<string, unknown>;
    const targets: Array<[M, string]> = [
      [window as unknown as M, 'fetch'],
      [XMLHttpRequest.prototype as unknown as M, 'open'],
      [XMLHttpRequest.prototype as unknown as M, 'send'],
      [XMLHttpRequest.prototype as unknown as M, 'abort'],
      [XMLHttpRequest.prototype as unknown as M, 'setRequestHeader'],
      [EventTarget.prototype as unknown as M, 'addEventListener'],
      [EventTarget.prototype as unknown as M, 'removeEventListener'],
      [Response.prototype as unknown as M, 'text'],
      [ReadableStream.prototype as unknown as M, 'getReader'],
      [ReadableStreamDefaultReader.prototype as unknown as M, 'read'],
    ];
    const wrapped = targets.map(([o, k]) => !!(o[k] as M).__spanbeam_original);
    const originals = targets.map(([o, k]) => (o[k] as M).__spanbeam_original);
    const bodyGetter = Object.getOwnPropertyDescriptor(Response.prototype, 'body')!.get as unknown as M;
    const bodyOriginal = bodyGetter.__spanbeam_original;
    const markerEnumerable = Object.keys(window.fetch).includes('__spanbeam_original');
    // A listener added while instrumented …
    let calls = 0;
    const fn = () => calls++;
    const b = document.getElementById('multi')!;
    b.addEventListener('click', fn);
    w.handle.uninstall();
    const restored = targets.map(([o, k], i) => o[k] === originals[i]);
    const bodyRestored = Object.getOwnPropertyDescriptor(Response.prototype, 'body')!.get === (bodyOriginal as unknown);
    const fetchOwn = Object.getOwnPropertyNames(window).includes('fetch');
    b.click();
    // … is removable with the app's own reference after uninstall.
    b.removeEventListener('click', fn);
    b.click();
    const text = await (await fetch('/api/data?after')).text();
    return { wrapped, markerEnumerable, restored, bodyRestored, fetchOwn, calls, text };
  });
  expect(out.wrapped.every(Boolean)).toBe(true);
  expect(out.markerEnumerable).toBe(false);
  expect(out.restored.every(Boolean)).toBe(true);
  expect(out.bodyRestored).toBe(true);
  expect(out.fetchOwn).toBe(true);
  expect(out.calls).toBe(1);
  expect(out.text).toBe('{"ok":true,"method":"GET"}');
  expect(server.requests.find((r) => r.path === '/api/data')!.headers.traceparent).toBeUndefined();
});

test('a failed synchronous XHR: the span holds no browser error message (it has the unredacted URL)', async ({ page }) => {
  await openApp(page, server);
  const msg = await page.evaluate(() => {
    const x = new XMLHttpRequest();
    x.open('GET', 'http://127.0.0.1:1/x?token=s3cr3t', false);
    try {
      x.send();
      return 'sent';
    } catch (e) {
      return String(e);
    }
  });
  expect(msg).toContain('NetworkError');
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 1);
  expect(one(spans, (s) => s.name === 'GET').attributes['url.full']).toBe('http://127.0.0.1:1/x?token=REDACTED');
  expect(server.received.map((r) => r.raw.toString('utf8')).join('\n')).not.toContain('s3cr3t');
});

test('XHR re-opened while a request is in flight (no abort event): the first span ends at once, as aborted', async ({ page }) => {
  await openApp(page, server);
  await page.evaluate(async () => {
    const x = new XMLHttpRequest();
    x.open('GET', '/api/slow?first');
    x.send();
    await new Promise((r) => setTimeout(r, 100));
    x.open('GET', '/api/data?second'); // ends the first request natively; never sent
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 1, 1500);
  const s = one(spans, (x) => x.name === 'GET');
  expect(s.attributes['url.full']).toBe(`${server.origin}/api/slow?first`);
  expect(s.attributes['error.type']).toBe('AbortError');
});

test('XHR re-used from its readystatechange handler (polling): each span ends with its own request and status', async ({ page }) => {
  let n = 0;
  server.route('/api/poll', (_q, res) => {
    const i = n++;
    setTimeout(() => res.writeHead(i === 0 ? 500 : 200).end(String(i)), i === 0 ? 0 : 1500);
  });
  await openApp(page, server);
  const t0 = Date.now();
  await page.evaluate(
    () =>
      new Promise<void>((done) => {
        const x = new XMLHttpRequest();
        let count = 0;
        x.onreadystatechange = () => {
          if (x.readyState !== 4) return;
          if (++count === 1) {
            x.open('GET', '/api/poll?n=1');
            x.send();
          } else done();
        };
        x.open('GET', '/api/poll?n=0');
        x.send();
      }),
  );
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2);
  const at = (q: string) => one(spans, (s) => String(s.attributes['url.full']).endsWith(q));
  // The first one ended when it was re-opened, long before the second (1.5 s).
  expect(at('n=0').attributes['http.response.status_code']).toBe(500);
  expect(at('n=0').end).toBeLessThan(at('n=1').end - 1000);
  expect(at('n=1').attributes['http.response.status_code']).toBe(200);
  expect(Date.now() - t0).toBeGreaterThan(1000);
});

test('setRequestHeader with a missing value throws as natively (no "undefined" header is sent)', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(() => {
    const x = new XMLHttpRequest();
    x.open('GET', '/api/data?one-arg', false);
    let err = 'none';
    try {
      (x.setRequestHeader as (name: string) => void)('x-one');
    } catch (e) {
      err = (e as Error).name;
    }
    x.send();
    return { err, status: x.status };
  });
  expect(out).toEqual({ err: 'TypeError', status: 200 });
  const sent = server.requests.find((r) => r.path === '/api/data')!.headers;
  expect(sent['x-one']).toBeUndefined();
  expect(sent.traceparent).toMatch(/^00-/);
});

test("abort() from the app's own handler of the last event (it runs before ours): the span ends, with the response's status", async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const run = (url: string, set: (x: XMLHttpRequest) => void) =>
      new Promise<string>((done) => {
        const x = new XMLHttpRequest();
        set(x);
        x.open('GET', url);
        x.send();
        setTimeout(() => done(`${x.readyState}:${x.status}`), 300);
      });
    // No load event follows an abort() in readystatechange (the state is reset): ours never came.
    const rsc = await run('/api/data?in=rsc', (x) => (x.onreadystatechange = () => x.readyState === 4 && x.abort()));
    // The response's status is reset before our load listener runs.
    const load = await run('/api/404?in=load', (x) => (x.onload = () => x.abort()));
    return { rsc, load };
  });
  expect(out).toEqual({ rsc: '0:0', load: '0:0' });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2);
  const at = (q: string) => one(spans, (s) => String(s.attributes['url.full']).endsWith(q));
  expect(at('in=rsc').attributes['http.response.status_code']).toBe(200);
  expect(at('in=rsc').attributes['error.type']).toBeUndefined();
  expect(at('in=load').attributes['http.response.status_code']).toBe(404);
  expect(at('in=load').attributes['error.type']).toBe('404');
});

test('a retry from onerror / ontimeout on the same XHR: the failed attempt keeps its own error, not AbortError', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(() => {
    const retry = (url: string, set: (x: XMLHttpRequest, again: () => void) => void) =>
      new Promise<string>((done) => {
        const x = new XMLHttpRequest();
        let n = 0;
        const again = () => {
          x.open('GET', '/api/data?retry=' + url.split('?')[1]);
          x.onload = () => done(`${n}:${x.status}`);
          x.send();
        };
        set(x, () => (n++, again()));
        x.open('GET', url);
        x.send();
      });
    return Promise.all([
      retry('http://127.0.0.1:1/down?e', (x, again) => (x.onerror = again)),
      retry('/api/slow?t', (x, again) => ((x.timeout = 50), (x.ontimeout = () => ((x.timeout = 0), again())))),
    ]);
  });
  expect(out).toEqual(['1:200', '1:200']);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 4);
  const at = (q: string) => one(spans, (s) => String(s.attributes['url.full']).endsWith(q));
  expect(at('down?e').attributes['error.type']).toBe('NetworkError');
  expect(at('slow?t').attributes['error.type']).toBe('TimeoutError');
  expect(at('retry=e').attributes['http.response.status_code']).toBe(200);
  expect(at('retry=t').attributes['http.response.status_code']).toBe(200);
});

test('with the zone.js script bundle, responseType document and Object.prototype.toString are as without it (strict code)', async ({ page }) => {
  await openApp(page, server, {}, '/app.html', '/sb-zone.js');
  const out = await page.evaluate(async () => {
    const x = new XMLHttpRequest();
    x.open('GET', '/api/data?doc');
    x.responseType = 'document';
    x.send();
    await new Promise((r) => (x.onloadend = r));
    // A JSON body gives no document: type checks like this one saw "[object Window]".
    const tag = (v: unknown) => Object.prototype.toString.call(v);
    return [tag(x.response), tag(null), tag(undefined)];
  });
  expect(out).toEqual(['[object Null]', '[object Null]', '[object Undefined]']);
});

test("a retry re-opened from onreadystatechange after an error or abort: the failed request's late event does not end the retry's span", async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(() => {
    const retry = (url: string, fail: (x: XMLHttpRequest) => void) =>
      new Promise<string>((done) => {
        const x = new XMLHttpRequest();
        let n = 0;
        x.onreadystatechange = () => {
          if (x.readyState !== 4) return;
          // The browser still fires the failed request's error/abort event after this handler.
          if (n++) return done(`${n}:${x.status}`);
          x.open('GET', '/api/data?retry=' + url.split('?')[1]);
          x.send();
        };
        x.open('GET', url);
        x.send();
        fail(x);
      });
    return Promise.all([retry('http://127.0.0.1:1/down?e', () => {}), retry('/api/slow?a', (x) => setTimeout(() => x.abort(), 50))]);
  });
  expect(out).toEqual(['2:200', '2:200']);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 4);
  const at = (q: string) => one(spans, (s) => String(s.attributes['url.full']).endsWith(q));
  for (const q of ['retry=e', 'retry=a']) {
    expect(at(q).attributes['http.response.status_code']).toBe(200);
    expect(at(q).attributes['error.type']).toBeUndefined();
  }
  // Done without a status when re-opened: an error came (not an abort).
  expect(at('down?e').attributes['error.type']).toBe('NetworkError');
  expect(at('slow?a').attributes['error.type']).toBe('AbortError');
});

test("the app's stopImmediatePropagation() on load or error: the span still ends, with its status or error", async ({ page }) => {
  await openApp(page, server);
  await page.evaluate(async () => {
    const run = (url: string, type: string) =>
      new Promise((done) => {
        const x = new XMLHttpRequest();
        x.addEventListener(type, (e) => e.stopImmediatePropagation());
        x.onloadend = done;
        x.open('GET', url);
        x.send();
      });
    await run('/api/data?stopped=load', 'load');
    await run('http://127.0.0.1:1/x?stopped=error', 'error');
  });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2, 3000);
  const at = (q: string) => one(spans, (s) => String(s.attributes['url.full']).endsWith(q));
  expect(at('stopped=load').attributes['http.response.status_code']).toBe(200);
  expect(at('stopped=load').attributes['error.type']).toBeUndefined();
  expect(at('stopped=error').attributes['error.type']).toBe('NetworkError');
});

test('a failed synchronous XHR re-used: its span does not take the next request’s status', async ({ page }) => {
  await openApp(page, server);
  const status = await page.evaluate(() => {
    const x = new XMLHttpRequest();
    x.open('GET', 'http://127.0.0.1:1/x?sync-fail', false);
    try {
      x.send();
    } catch {
      /* NetworkError, as natively */
    }
    x.open('GET', '/api/data?sync-next', false);
    x.send();
    return x.status;
  });
  expect(status).toBe(200);
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 2);
  const failed = one(spans, (s) => String(s.attributes['url.full']).endsWith('sync-fail')).attributes;
  expect(failed['error.type']).toBe('NetworkError');
  expect(failed['http.response.status_code']).toBeUndefined();
});

test('open() that throws (bad URL, missing argument) on a request in flight leaves it running: its span ends with the response', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const x = new XMLHttpRequest();
    x.open('GET', '/api/stream?n=3');
    x.send();
    await new Promise((r) => setTimeout(r, 20));
    const errors: string[] = [];
    for (const args of [['GET', 'http://[bad'], ['GET']])
      try {
        (x.open as (...a: string[]) => void)(...args);
      } catch (e) {
        errors.push((e as Error).name);
      }
    await new Promise((r) => (x.onloadend = r));
    return { errors, status: x.status, text: x.responseText };
  });
  expect(out).toEqual({ errors: ['SyntaxError', 'TypeError'], status: 200, text: 'chunk0\nchunk1\nchunk2\n' });
  const spans = await waitForSpans(page, server, (s) => byName(s, 'GET').length === 1);
  const s = one(spans, (x) => x.name === 'GET');
  expect(s.attributes['http.response.status_code']).toBe(200);
  expect(s.attributes['error.type']).toBeUndefined();
});
