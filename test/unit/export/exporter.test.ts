import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gunzipSync } from 'node:zlib';
import type { ReadableSpan } from '../../../src/sdk/types';
import type { ExporterOptions } from '../../../src/export/exporter';
import { createOtlpExporter } from '../../../src/export/otlp';
import { tailSampler } from '../../../src/export/sampling';
import { checkOtlpJson } from './otlp-proto';
import { fakeSpan } from './spans';
import { getSelfCounters, resetSelfCounters } from '../../../src/sdk/diag';
import { getRecentSpans } from '../../../src/export/recent';

interface Call {
  body: string;
  headers: Record<string, string>;
  keepalive: boolean;
  json: { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: Record<string, unknown> }> }; scopeSpans: Array<{ spans: Array<{ name: string }> }> }> };
}
type Answer = Response | Error | (() => Response | Promise<Response>);

const realFetch = globalThis.fetch;
let calls: Call[];
let script: Answer[];
let fallback: () => Response; // the answer once the script is used up

function install(): ReturnType<typeof vi.fn> {
  const f = vi.fn(async (_url: string, init: RequestInit) => {
    let body = init.body as string | Blob;
    const headers = init.headers as Record<string, string>;
    if (typeof body !== 'string') {
      const buf = Buffer.from(await (body as Blob).arrayBuffer());
      body = (headers['content-encoding'] === 'gzip' ? gunzipSync(buf) : buf).toString('utf8');
    }
    calls.push({ body, headers, keepalive: Boolean(init.keepalive), json: JSON.parse(body) });
    const next = script.shift();
    if (next instanceof Error) throw next;
    if (typeof next === 'function') return next();
    return next ?? fallback();
  });
  globalThis.fetch = f as unknown as typeof fetch;
  return f;
}

const names = (c: Call) => c.json.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));
const resAttr = (c: Call, key: string) => c.json.resourceSpans[0].resource.attributes.find((a) => a.key === key)?.value;
const exporter = (o: Partial<ExporterOptions> = {}) => createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', outbox: 'memory', ...o });
const end = (e: { onEnd(s: ReadableSpan): void }, n: number, tag = 's', attributes = {}) => {
  for (let i = 0; i < n; i++) e.onEnd(fakeSpan({ name: `${tag}${i}`, attributes }));
};
const down = () => new Response('', { status: 503, headers: { 'retry-after': '60' } });
/** An answer the test gives later: put `next` in the script, call `answer`. */
const later = () => {
  let answer!: (r: Response) => void;
  const p = new Promise<Response>((r) => (answer = r));
  return { next: () => p, answer };
};

beforeEach(() => {
  vi.useFakeTimers();
  calls = [];
  script = [];
  fallback = () => new Response('{"partialSuccess":{}}', { status: 200 });
  install();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  globalThis.fetch = realFetch;
});

describe('OTLP exporter: batching', () => {
  it('sends a valid OTLP body after maxDelayMs, with a batch id', async () => {
    const e = exporter({ maxDelayMs: 500 });
    end(e, 3);
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(checkOtlpJson(calls[0].json)).toEqual([]);
    expect(names(calls[0])).toEqual(['s0', 's1', 's2']);
    expect(resAttr(calls[0], 'spanbeam.batch.id')?.stringValue).toMatch(/^[0-9a-z]{12,}$/);
    expect(calls[0].headers['content-type']).toBe('application/json');
    expect(calls[0].keepalive).toBe(true);
    expect(e.stats()).toMatchObject({ ended: 3, sent: 3, queued: 0, retries: 0 });
  });

  it('seals at maxBatchSpans and maxBatchBytes', async () => {
    const e = exporter({ maxBatchSpans: 4 });
    end(e, 10);
    await e.flush();
    expect(calls.map((c) => names(c).length)).toEqual([4, 4, 2]);
    calls = [];
    const small = exporter({ maxBatchBytes: 2000 });
    end(small, 20, 'b');
    await small.flush();
    expect(calls.length).toBeGreaterThan(2);
    for (const c of calls) expect(Buffer.byteLength(c.body)).toBeLessThanOrEqual(2000);
    expect(calls.flatMap(names)).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`));
  });

  it('ignores unsampled spans and calls the original fetch under an instrumentation wrapper', async () => {
    const original = globalThis.fetch;
    const wrapper = vi.fn(() => Promise.reject(new Error('wrapper must not be used')));
    globalThis.fetch = Object.assign(wrapper, { __spanbeam_original: original }) as unknown as typeof fetch;
    const e = exporter();
    e.onEnd(fakeSpan({ ctx: { traceFlags: 0 } }));
    end(e, 1);
    await e.flush();
    expect(wrapper).not.toHaveBeenCalled();
    expect(calls).toHaveLength(1);
    expect(names(calls[0])).toHaveLength(1);
    expect(e.stats().ended).toBe(1);
  });

  it('gzips when asked', async () => {
    const e = exporter({ compression: 'gzip', headers: { authorization: 'Bearer t' } });
    end(e, 2);
    await e.flush();
    expect(calls[0].headers).toMatchObject({ 'content-encoding': 'gzip', authorization: 'Bearer t' });
    expect(checkOtlpJson(calls[0].json)).toEqual([]);
  });
});

describe('OTLP exporter: beforeExport', () => {
  it('scrubs attributes the hook changes, drops spans it returns false for (counted filtered), keeps spans when it throws', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const e = exporter({
      maxDelayMs: 10,
      beforeExport(span) {
        if (span.name === 's1') return false;
        if (span.name === 's2') throw new Error('app hook failed');
        const a = span.attributes as Record<string, unknown>;
        if ('user.email' in a) a['user.email'] = 'scrubbed';
      },
    });
    for (let i = 0; i < 3; i++) e.onEnd(fakeSpan({ name: `s${i}`, attributes: { 'user.email': 'a@b.example', keep: 1 } }));
    await vi.advanceTimersByTimeAsync(10);
    expect(names(calls[0])).toEqual(['s0', 's2']);
    const attrs = (i: number) => (calls[0].json.resourceSpans[0].scopeSpans[0].spans[i] as unknown as { attributes: Array<{ key: string; value: { stringValue?: string } }> }).attributes;
    expect(attrs(0).find((a) => a.key === 'user.email')?.value.stringValue).toBe('scrubbed');
    expect(attrs(1).find((a) => a.key === 'user.email')?.value.stringValue).toBe('a@b.example');
    expect(e.stats()).toMatchObject({ ended: 3, sent: 2, dropped: { filtered: 1 } });
    expect(getSelfCounters()['export.before_export_failed']).toBe(1);
  });
});

describe('OTLP exporter: retries', () => {
  it('honours Retry-After seconds and resends the same batch', async () => {
    script = [new Response('', { status: 503, headers: { 'retry-after': '3' } })];
    const e = exporter({ maxDelayMs: 10 });
    end(e, 2);
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(calls[1].body).toBe(calls[0].body);
    expect(e.stats()).toMatchObject({ sent: 2, retries: 1 });
  });

  it('honours Retry-After as an HTTP date', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    script = [new Response('', { status: 429, headers: { 'retry-after': at } })];
    const e = exporter({ maxDelayMs: 0 });
    end(e, 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2100);
    expect(calls).toHaveLength(2);
  });

  it('backs off exponentially with jitter on network errors, then delivers', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0); // jitter factor 0.5
    script = [new TypeError('Failed to fetch'), new TypeError('Failed to fetch'), new Response('', { status: 502 })];
    const e = exporter({ maxDelayMs: 0, retryInitialMs: 1000 });
    end(e, 4);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    // A first keepalive send failing on the network is held 200 ms (a page leaving fails it too).
    await vi.advanceTimersByTimeAsync(699);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // 200 + 1000 × 0.5
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // 2000 × 0.5
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(2000); // 4000 × 0.5
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => c.body)).size).toBe(1);
    expect(e.stats()).toMatchObject({ sent: 4, retries: 3, queued: 0 });
  });

  it('drops on final statuses, counts, calls onError, and reports the drop on the next batch', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const onError = vi.fn();
    script = [new Response('bad', { status: 400 })];
    const e = exporter({ maxDelayMs: 0, onError });
    end(e, 3, 'a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1);
    expect(e.stats().dropped).toEqual({ http_400: 3 });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ reason: 'http_400', spans: 3 }));
    expect(warn).toHaveBeenCalled();
    end(e, 1, 'b');
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(resAttr(calls[1], 'spanbeam.export.dropped_spans')).toEqual({ intValue: '3' });
    expect(checkOtlpJson(calls[1].json)).toEqual([]);
    end(e, 1, 'c');
    await vi.advanceTimersByTimeAsync(1);
    expect(resAttr(calls[2], 'spanbeam.export.dropped_spans')).toBeUndefined();
  });

  it('an endpoint that is not http(s) is never requested (no retries, no console errors): its spans are dropped, counted', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    resetSelfCounters();
    const onError = vi.fn();
    const e = exporter({ endpoint: 'ftp://collector.test/v1/traces', maxDelayMs: 0, onError });
    end(e, 3, 'a');
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls).toHaveLength(0);
    expect(e.stats()).toMatchObject({ dropped: { bad_endpoint: 3 }, queued: 0, retries: 0 });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ reason: 'bad_endpoint', spans: 3 }));
    expect(getSelfCounters()['export.bad_endpoint']).toBe(1); // warned once
  });

  it('a relative endpoint is resolved against the page: no warning', async () => {
    resetSelfCounters();
    vi.stubGlobal('location', new URL('https://shop.test/app/index.html'));
    const e = exporter({ endpoint: 'v1/traces', maxDelayMs: 0 });
    end(e, 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(getSelfCounters()['export.bad_endpoint']).toBeUndefined();
    vi.unstubAllGlobals();
  });

  it('counts partialSuccess.rejectedSpans', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    script = [new Response('{"partialSuccess":{"rejectedSpans":"2","errorMessage":"too old"}}', { status: 200 })];
    const e = exporter();
    end(e, 5);
    await e.flush();
    expect(e.stats()).toMatchObject({ sent: 3, rejected: 2 });
  });

  it('a negative partialSuccess.rejectedSpans counts nothing rejected and no more sent than the batch', async () => {
    script = [new Response('{"partialSuccess":{"rejectedSpans":-3}}', { status: 200 })];
    const e = exporter();
    end(e, 5);
    await e.flush();
    expect(e.stats()).toMatchObject({ sent: 5, rejected: 0 });
  });

  it('a retryInitialMs that is not a number still backs off (no 0 ms retry loop)', async () => {
    script = Array.from({ length: 100 }, () => new TypeError('Failed to fetch'));
    const e = exporter({ maxDelayMs: 0, retryInitialMs: NaN });
    end(e, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(220); // the 200 ms hold of a failed keepalive send, then at least 50 ms
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(40);
    expect(calls).toHaveLength(2);
  });
});

describe('OTLP exporter: invalid option values (plain JS)', () => {
  it('a NaN, negative or string number option takes its default with a warning: spans are still delivered, recentSpans stays bounded', async () => {
    resetSelfCounters();
    // NaN dropped every batch as over maxOutboxBytes; timeoutMs 0 or NaN aborted every send (retried for ever).
    const e = exporter({ maxDelayMs: 0, maxOutboxBytes: NaN, timeoutMs: -1, retryMaxMs: 'x' as unknown as number });
    end(e, 2);
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    expect(names(calls[0])).toEqual(['s0', 's1']);
    expect(e.stats()).toMatchObject({ sent: 2, retries: 0, dropped: {} });
    expect(getSelfCounters()['export.bad_option']).toBe(3);
    const z = createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', outbox: 'memory', timeoutMs: 0 });
    end(z, 1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
    expect(z.stats()).toMatchObject({ sent: 1, retries: 0 });
    // A string from a config file is read as its number (not '500' + 64 = '50064' spans kept).
    const r = exporter({ recentSpans: '10' as unknown as number });
    end(r, 200);
    expect(getRecentSpans().length).toBeLessThanOrEqual(10);
    await Promise.all([e, z, r].map((x) => x.shutdown()));
  });
});

describe('OTLP exporter: outbox caps', () => {
  it('drops the oldest batches past maxOutboxBytes while the collector is down, and reports it', async () => {
    script = Array.from({ length: 3 }, () => new Response('', { status: 503, headers: { 'retry-after': '60' } }));
    const e = exporter({ maxDelayMs: 0, maxOutboxBytes: 2500 });
    for (let i = 0; i < 6; i++) {
      end(e, 1, `o${i}-`);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(e.stats().dropped.outbox_bytes).toBeGreaterThan(0);
    script = [];
    await vi.advanceTimersByTimeAsync(60_000);
    await e.flush();
    // Waiting to retry, the caps are applied once a quarter of the cap is new: the rest at the retry.
    const dropped = e.stats().dropped.outbox_bytes ?? 0;
    const delivered = calls.slice(1).flatMap(names);
    // Every span is either delivered once or counted as dropped; the newest survive.
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered.length + dropped).toBe(6);
    expect(delivered).toContain('o5-0');
    // A drop after the last batch is announced on the next one.
    end(e, 1, 'later');
    await e.flush();
    const reported = calls.map((c) => resAttr(c, 'spanbeam.export.dropped_spans')?.intValue).filter(Boolean);
    expect(reported.map(Number).reduce((a, b) => a + b, 0)).toBe(dropped);
  });

  it('drops batches older than maxOutboxAgeMs', async () => {
    script = [new TypeError('offline')];
    const e = exporter({ maxDelayMs: 0, maxOutboxAgeMs: 5000, retryInitialMs: 10_000 });
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    end(e, 2);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls).toHaveLength(1);
    expect(e.stats().dropped).toEqual({ outbox_age: 2 });
    expect(e.stats().queued).toBe(0);
  });
});

describe('OTLP exporter: tail sampling', () => {
  it('keeps error and slow traces, samples the rest, decided at the local root', async () => {
    const e = exporter({ tailSampling: tailSampler({ ratio: 0, slowMs: 1000 }) });
    const trace = (id: string) => ({ traceId: id.repeat(32) });
    // error trace: child error ends before root
    e.onEnd(fakeSpan({ name: 'err-child', ctx: trace('1'), parentSpanId: 'a'.repeat(16), status: { code: 2 } }));
    e.onEnd(fakeSpan({ name: 'err-root', ctx: trace('1') }));
    // slow trace
    e.onEnd(fakeSpan({ name: 'slow-root', ctx: trace('2'), startMs: 0, endMs: 1500 }));
    // boring trace, plus a late child after its root
    e.onEnd(fakeSpan({ name: 'boring-root', ctx: trace('3') }));
    e.onEnd(fakeSpan({ name: 'boring-late', ctx: trace('3'), parentSpanId: 'b'.repeat(16) }));
    // late child of a kept trace follows the decision
    e.onEnd(fakeSpan({ name: 'err-late', ctx: trace('1'), parentSpanId: 'c'.repeat(16) }));
    await e.flush();
    expect(calls.flatMap(names).sort()).toEqual(['err-child', 'err-late', 'err-root', 'slow-root']);
    expect(e.stats().dropped).toEqual({ tail_sampled: 2 });
  });
  it('plain options instead of tailSampler() are ignored with a warning: nothing is lost', async () => {
    const e = exporter({ tailSampling: { ratio: 0 } as unknown as ExporterOptions['tailSampling'] });
    e.onEnd(fakeSpan({ name: 'kept', ctx: { traceId: '4'.repeat(32) } }));
    await e.flush();
    expect(calls.flatMap(names)).toEqual(['kept']);
    expect(e.stats().dropped).toEqual({});
  });
});

describe('OTLP exporter: stats', () => {
  const big = { blob: 'x'.repeat(1000) }; // ~1.6 KB a batch: a 2500-byte outbox holds one, not two

  it('counts a batch once in queued when spans end right after the exporter is made', async () => {
    // start() does this: it hands the early spans to a new exporter while its first drain reads the outbox.
    fallback = down;
    const e = exporter({ maxDelayMs: 0, maxBatchSpans: 2 });
    end(e, 2, 'r');
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(e.stats().queued).toBe(2);
  });

  it('does not count spans the outbox cap dropped in queued', async () => {
    fallback = down;
    const e = exporter({ maxDelayMs: 0, maxOutboxBytes: 2500 });
    await vi.advanceTimersByTimeAsync(1);
    for (let i = 0; i < 5; i++) {
      end(e, 1, `o${i}-`, big);
      await vi.advanceTimersByTimeAsync(1);
    }
    const s = e.stats();
    const dropped = s.dropped.outbox_bytes ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(s.sent).toBe(0);
    expect(s.queued).toBe(s.ended - dropped);
  });

  it('never lets the cap drop the batch in flight: it is counted sent, and no drop is announced', async () => {
    const a = later();
    script = [a.next];
    const e = exporter({ maxDelayMs: 0, maxOutboxBytes: 2500 });
    end(e, 1, 'a', big);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1); // batch a in flight
    end(e, 1, 'b', big); // batch b stored: a and b together pass the cap
    await vi.advanceTimersByTimeAsync(1);
    a.answer(new Response('{}', { status: 200 }));
    await e.flush();
    expect(calls.flatMap(names)).toEqual(['a0', 'b0']);
    expect(e.stats()).toMatchObject({ sent: 2, queued: 0, dropped: {} });
    expect(resAttr(calls[1], 'spanbeam.export.dropped_spans')).toBeUndefined();
  });
});

describe('OTLP exporter: page hide', () => {
  let beacons: Array<Promise<string>>;
  let beaconOk: boolean;
  let win: EventTarget;
  let doc: EventTarget & { visibilityState: string };
  const beaconed = async () => (await Promise.all(beacons)).flatMap((b) => names({ json: JSON.parse(b) } as Call));
  const visibility = (v: 'hidden' | 'visible') => {
    doc.visibilityState = v;
    doc.dispatchEvent(new Event('visibilitychange'));
  };
  const transition = (type: 'pagehide' | 'pageshow', persisted: boolean) => win.dispatchEvent(Object.assign(new Event(type), { persisted }));

  beforeEach(() => {
    beacons = [];
    beaconOk = true;
    win = new EventTarget();
    doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    vi.stubGlobal('window', win);
    vi.stubGlobal('document', doc);
    vi.stubGlobal('navigator', {
      onLine: true,
      sendBeacon: (_url: string, blob: Blob) => beaconOk && beacons.push(blob.text()) > 0,
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('a throwing tail-sampling keep() rule does not stop the hide from handing spans to the browser', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    let boom = false;
    const keep = () => {
      if (boom) throw new Error('app rule failed');
      return true;
    };
    const e = exporter({ tailSampling: tailSampler({ ratio: 0, keep }) });
    e.onEnd(fakeSpan({ name: 'kept-root', ctx: { traceId: '1'.repeat(32) } })); // kept, waiting in the batch buffer
    e.onEnd(fakeSpan({ name: 'waiting-child', ctx: { traceId: '2'.repeat(32) }, parentSpanId: 'a'.repeat(16) }));
    boom = true;
    visibility('hidden'); // the hide decides the waiting trace: keep() throws
    expect((await beaconed()).sort()).toEqual(['kept-root', 'waiting-child']);
    expect(e.stats()).toMatchObject({ ended: 2, sent: 2, queued: 0, dropped: {} });
  });

  it('tail sampling: a trace running while the tab is hidden for a moment is kept whole when its root turns out slow', async () => {
    const e = exporter({ tailSampling: tailSampler({ ratio: 0, slowMs: 1000 }) });
    const ctx = { traceId: '5'.repeat(32) };
    e.onEnd(fakeSpan({ name: 'auth', ctx, parentSpanId: 'a'.repeat(16) })); // its root still runs
    visibility('hidden');
    visibility('visible');
    e.onEnd(fakeSpan({ name: 'report', ctx, startMs: 0, endMs: 5000 })); // the root: slow
    await e.flush();
    expect([...(await beaconed()), ...calls.flatMap(names)]).toEqual(['auth', 'report']);
    expect(e.stats()).toMatchObject({ sent: 2, dropped: {} });
  });

  it('with an endpoint that is not http(s), nothing is beaconed either', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const e = exporter({ endpoint: 'ftp://collector.test/v1/traces', maxDelayMs: 60_000 });
    end(e, 2);
    visibility('hidden');
    transition('pagehide', false);
    expect(beacons).toHaveLength(0);
    expect(e.stats().beacons).toBe(0);
  });

  it('counts batches handed over at a hide out of queued (stored, and still being written)', async () => {
    fallback = down;
    const e = exporter({ maxDelayMs: 0, maxBatchSpans: 2 });
    await vi.advanceTimersByTimeAsync(1);
    end(e, 2, 'a'); // batch a: stored, sent, 503, waits 60 s
    await vi.advanceTimersByTimeAsync(1);
    expect(e.stats().queued).toBe(2);
    fallback = () => new Response('{}', { status: 200 });
    end(e, 2, 'b'); // batch b sealed, being written...
    visibility('hidden'); // ...when the tab hides: both go out (keepalive fetch: the collector was failing)
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.slice(1).flatMap(names).sort()).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(calls.slice(1).every((c) => c.keepalive)).toBe(true);
    expect(beacons).toHaveLength(0);
    expect(e.stats()).toMatchObject({ sent: 4, beacons: 2, queued: 0 });
  });

  it('hands nothing to sendBeacon while the collector is failing: a refusal the page sees puts the spans back', async () => {
    fallback = down;
    const e = exporter({ maxDelayMs: 0 });
    end(e, 2, 'a'); // sent, 503, waits 60 s
    await vi.advanceTimersByTimeAsync(1);
    end(e, 2, 'b');
    visibility('hidden');
    await vi.advanceTimersByTimeAsync(1);
    expect(beacons).toHaveLength(0);
    expect(calls.slice(1).flatMap(names).sort()).toEqual(['a0', 'a1', 'b0', 'b1']); // 503 again
    expect(e.stats()).toMatchObject({ sent: 0, queued: 4 });
    visibility('visible');
    fallback = () => new Response('{}', { status: 200 });
    await vi.advanceTimersByTimeAsync(60_000);
    await e.flush();
    expect(calls.slice(3).flatMap(names).sort()).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(e.stats()).toMatchObject({ sent: 4, queued: 0, dropped: {} });
  });

  it('stores a batch still being written when the tab hides only once (memory outbox), so it is not beaconed twice', async () => {
    beaconOk = false;
    fallback = down;
    const e = exporter({ maxDelayMs: 0, maxBatchSpans: 2 });
    await vi.advanceTimersByTimeAsync(1);
    end(e, 2, 'w'); // sealed: its write is chained
    visibility('hidden'); // same task: the hide stores it, then the chained write stores it again
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.flatMap(names)).toEqual(['w0', 'w1']); // sent, 503, waits 60 s
    expect(e.stats().queued).toBe(2);
    fallback = () => new Response('{}', { status: 200 });
    visibility('visible');
    visibility('hidden'); // keepalive fetch: the collector was failing
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.slice(1).flatMap(names)).toEqual(['w0', 'w1']);
    expect(e.stats()).toMatchObject({ sent: 2, beacons: 1, queued: 0 });
  });

  it('bfcache (pagehide persisted): a keepalive send in flight that then fails is retried, not forgotten', async () => {
    const a = later();
    script = [a.next];
    const e = exporter({ maxDelayMs: 0 });
    end(e, 3, 'k');
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(calls[0].keepalive).toBe(true);
    transition('pagehide', true); // into the back/forward cache: the page lives on
    transition('pageshow', true);
    a.answer(new Response('', { status: 503 }));
    await vi.advanceTimersByTimeAsync(400_000);
    await e.flush();
    expect(calls.slice(1).flatMap(names)).toEqual(['k0', 'k1', 'k2']);
    expect(e.stats()).toMatchObject({ sent: 3, retries: 1, queued: 0 });
  });

  it('right after a hide whose beacons used the keepalive budget, a send waits for it: not refused, not cut off by a close', async () => {
    fallback = down;
    const e = exporter({ maxDelayMs: 0 });
    end(e, 9, 'p', { pad: 'x'.repeat(9000) }); // three batches of ~27 KB
    await vi.advanceTimersByTimeAsync(1); // the first is sent, 503: all three wait in the outbox
    expect(calls).toHaveLength(1);
    fallback = () => new Response('{}', { status: 200 });
    visibility('hidden'); // two go out by keepalive fetch (~54 KB of the 64 KiB budget), one stays
    expect(e.stats().beacons).toBe(2);
    visibility('visible');
    win.dispatchEvent(new Event('online')); // those may still be in flight
    await vi.advanceTimersByTimeAsync(9000);
    // Keepalive, the browser would refuse it; without, a close would cut it off and it would be sent again.
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1100); // the budget is back
    expect(calls).toHaveLength(4);
    expect(calls[3].keepalive).toBe(true);
    expect(e.stats()).toMatchObject({ sent: 9, queued: 0 });
  });

  it('tab hidden with headers: a keepalive flush the collector answers 503 goes back to the outbox and is delivered later', async () => {
    script = [down, down];
    const e = exporter({ maxDelayMs: 0, headers: { authorization: 'Bearer t' } });
    end(e, 2, 'h');
    await vi.advanceTimersByTimeAsync(1); // sent, 503, waits 60 s in the outbox
    expect(calls).toHaveLength(1);
    visibility('hidden'); // the outbox batch goes out by keepalive fetch (headers: no beacon), 503 again
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(calls[1].keepalive).toBe(true);
    expect(e.stats()).toMatchObject({ sent: 0, queued: 2 });
    visibility('visible');
    await vi.advanceTimersByTimeAsync(60_000);
    await e.flush();
    expect(calls.slice(2).flatMap(names)).toEqual(['h0', 'h1']);
    expect(e.stats()).toMatchObject({ sent: 2, queued: 0 });
  });
});
