import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeZipkinJsonString, encodeZipkinSpan, zipkinBody } from '../../../src/export/zipkin';
import { createZipkinExporter } from '../../../src/export/otlp';
import { fakeSpan } from './spans';

describe('Zipkin v2 JSON', () => {
  it('encodes ids, µs times, kind, tags, annotations and errors', () => {
    const parent = fakeSpan({ name: 'root' });
    const child = fakeSpan({
      name: 'GET',
      kind: 2,
      parentSpanId: parent.spanContext().spanId,
      startMs: 1_700_000_000_000.5,
      endMs: 1_700_000_000_002.25,
      attributes: { 'http.status_code': 500, list: ['a', 'b'], ok: false },
      events: [{ name: 'retry', timeMs: 1_700_000_000_001, attributes: {}, droppedAttributesCount: 0 }],
      status: { code: 2, message: 'HTTP 500' },
    });
    const [r, c] = JSON.parse(encodeZipkinJsonString([parent, child]));
    expect(r.kind).toBeUndefined();
    expect(r.parentId).toBeUndefined();
    expect(c).toMatchObject({
      traceId: parent.spanContext().traceId,
      id: child.spanContext().spanId,
      parentId: parent.spanContext().spanId,
      name: 'GET',
      kind: 'CLIENT',
      timestamp: 1_700_000_000_000_500,
      duration: 1750,
      localEndpoint: { serviceName: 'shop' },
      annotations: [{ timestamp: 1_700_000_000_001_000, value: 'retry' }],
    });
    expect(c.tags).toMatchObject({ 'http.status_code': '500', list: '["a","b"]', ok: 'false', error: 'HTTP 500', 'otel.status_code': 'ERROR', 'telemetry.sdk.name': 'spanbeam' });
    expect(c.tags['service.name']).toBeUndefined();
  });

  describe('exporter', () => {
    const real = globalThis.fetch;
    afterEach(() => void (globalThis.fetch = real));
    it('posts to the Zipkin endpoint with the batch id as a tag', async () => {
      const bodies: string[] = [];
      globalThis.fetch = vi.fn(async (_u: string, init: RequestInit) => {
        bodies.push(init.body as string);
        return new Response(null, { status: 202 });
      }) as unknown as typeof fetch;
      const e = createZipkinExporter({ endpoint: 'http://zipkin.test/api/v2/spans', outbox: 'memory' });
      e.onEnd(fakeSpan({ name: 'one' }));
      e.onEnd(fakeSpan({ name: 'two' }));
      await e.flush();
      const spans = JSON.parse(bodies[0]);
      expect(spans.map((s: { name: string }) => s.name)).toEqual(['one', 'two']);
      expect(spans[0].tags['spanbeam.batch.id']).toMatch(/^\w+$/);
      expect(e.stats()).toMatchObject({ sent: 2 });
    });
  });
});

describe('Zipkin v2 mapping details', () => {
  const enc = (p: Parameters<typeof fakeSpan>[0]) => encodeZipkinSpan(fakeSpan(p)) as { kind?: string; duration: number; tags: Record<string, string> };
  it('maps every span kind (INTERNAL has none)', () => {
    expect(([0, 1, 2, 3, 4] as const).map((kind) => enc({ kind }).kind)).toEqual([undefined, 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']);
  });
  it('maps OK and message-less ERROR status per the OpenTelemetry Zipkin mapping', () => {
    const ok = enc({ status: { code: 1 } }).tags;
    expect(ok['otel.status_code']).toBe('OK');
    expect('error' in ok).toBe(false);
    const err = enc({ status: { code: 2 } }).tags;
    expect(err['otel.status_code']).toBe('ERROR');
    expect('error' in err).toBe(true); // Zipkin marks a span failed by the presence of this tag
    expect('otel.status_code' in enc({}).tags).toBe(false);
  });
  it('tags an ERROR status with its description, or an empty one without (not "true"), and OK/UNSET with no error tag', () => {
    // The specification's "OpenTelemetry to Zipkin Transformation", Status: `error` is the
    // description, "use an empty string if Description has no value"; `otel.status_code` OK or ERROR, none for UNSET.
    const tags = (status: { code: 0 | 1 | 2; message?: string }, attributes = {}) => {
      const t = enc({ status, attributes }).tags;
      return [t['otel.status_code'], t.error];
    };
    expect(tags({ code: 2 })).toEqual(['ERROR', '']);
    expect(tags({ code: 2, message: '' })).toEqual(['ERROR', '']);
    expect(tags({ code: 2, message: 'TypeError' })).toEqual(['ERROR', 'TypeError']);
    // The status wins over an attribute of that name.
    expect(tags({ code: 2 }, { error: 'boom' })).toEqual(['ERROR', '']);
    expect(tags({ code: 1, message: 'ignored' })).toEqual(['OK', undefined]);
    expect(tags({ code: 0 })).toEqual([undefined, undefined]);
  });
  it('tags the instrumentation scope name and version', () => {
    expect(enc({ scope: { name: 'fetch', version: '1.2.0' } }).tags).toMatchObject({ 'otel.scope.name': 'fetch', 'otel.scope.version': '1.2.0' });
  });
  it('tags what limits dropped as OpenTelemetry’s Zipkin exporter does (otel.dropped_*_count), only when nonzero', () => {
    expect(enc({ droppedAttributesCount: 3, droppedEventsCount: 1, droppedLinksCount: 2 }).tags).toMatchObject({
      'otel.dropped_attributes_count': '3',
      'otel.dropped_events_count': '1',
      'otel.dropped_links_count': '2',
    });
    expect(Object.keys(enc({}).tags).filter((k) => k.startsWith('otel.dropped'))).toEqual([]);
  });
  it('rounds a zero duration up to 1 µs (Zipkin v2 API), also for a span not ended yet', () => {
    expect(enc({ startMs: 1_700_000_000_000, endMs: 1_700_000_000_000 }).duration).toBe(1);
    expect(enc({ endMs: NaN }).duration).toBe(1);
  });
  it('puts batch and `first` attributes (a drop count) on the first span only', () => {
    const spans = [fakeSpan(), fakeSpan()];
    const body = JSON.parse(zipkinBody(spans, spans.map((s) => JSON.stringify(encodeZipkinSpan(s))), { 'spanbeam.batch.id': 'b1' }, { 'spanbeam.export.dropped_spans': 3 }));
    expect(body[0].tags).toMatchObject({ 'spanbeam.batch.id': 'b1', 'spanbeam.export.dropped_spans': '3' });
    expect(body[1].tags['spanbeam.batch.id']).toBeUndefined();
    expect(body[1].tags['spanbeam.export.dropped_spans']).toBeUndefined();
  });
});

/**
 * The Span rules of Zipkin's v2 API (openzipkin/zipkin-api zipkin2-api.yaml): hex ids, integer µs
 * times with duration ≥ 1, kind only CLIENT/SERVER/PRODUCER/CONSUMER, string-only tags,
 * annotations {timestamp, value}, endpoints with an integer port in 1–65535 (zipkin2.Endpoint refuses
 * a larger one, and its JSON reader a fraction: the whole request is rejected).
 */
function zipkinSpanErrors(z: Record<string, unknown>): string[] {
  const bad: string[] = [];
  const check = (ok: boolean, what: string) => ok || bad.push(what);
  const isInt = (v: unknown) => Number.isSafeInteger(v);
  const endpoint = (e: unknown) => {
    const o = e as Record<string, unknown>;
    return typeof o === 'object' && o !== null && (o.serviceName === undefined || typeof o.serviceName === 'string') && (o.port === undefined || (isInt(o.port) && (o.port as number) > 0 && (o.port as number) < 65536));
  };
  check(/^([a-f0-9]{16}|[a-f0-9]{32})$/.test(String(z.traceId)), 'traceId');
  check(/^[a-f0-9]{16}$/.test(String(z.id)), 'id');
  check(z.parentId === undefined || /^[a-f0-9]{16}$/.test(String(z.parentId)), 'parentId');
  check(z.kind === undefined || ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'].includes(z.kind as string), 'kind');
  check(isInt(z.timestamp), 'timestamp');
  check(isInt(z.duration) && (z.duration as number) >= 1, 'duration');
  check(z.localEndpoint === undefined || endpoint(z.localEndpoint), 'localEndpoint');
  check(z.remoteEndpoint === undefined || endpoint(z.remoteEndpoint), 'remoteEndpoint');
  check(Object.values((z.tags ?? {}) as object).every((v) => typeof v === 'string'), 'tags');
  const ann = (z.annotations ?? []) as Array<Record<string, unknown>>;
  check(ann.every((a) => isInt(a.timestamp) && typeof a.value === 'string'), 'annotations');
  return bad;
}

describe('Zipkin v2 as Zipkin and the OpenTelemetry Zipkin mapping read it', () => {
  const enc = (p: Parameters<typeof fakeSpan>[0]) => {
    const z = JSON.parse(encodeZipkinJsonString([fakeSpan(p)]))[0];
    expect(zipkinSpanErrors(z)).toEqual([]);
    return z;
  };

  it('keeps event attributes in the annotation value (an exception’s message and stack)', () => {
    const attrs = { 'exception.type': 'TypeError', 'exception.message': 'x is undefined', 'exception.stacktrace': 'at f (a.js:1)' };
    const z = enc({ events: [{ name: 'exception', timeMs: 1_700_000_000_001, attributes: attrs, droppedAttributesCount: 0 }, { name: 'plain', timeMs: 1_700_000_000_002, attributes: {}, droppedAttributesCount: 0 }] });
    // sdk_exporters/zipkin.md, Events: `"my-event-name": { "key1" : "value1", … }`.
    const [exc, plain] = z.annotations;
    expect(exc.timestamp).toBe(1_700_000_000_001_000);
    expect(exc.value).toMatch(/^"exception": \{/);
    expect(JSON.parse(`{${exc.value}}`)).toEqual({ exception: attrs });
    expect(plain.value).toBe('plain');
  });

  it('does not send an `error` tag for an `error: false` attribute (Zipkin would show the span as failed)', () => {
    expect('error' in enc({ attributes: { error: false } }).tags).toBe(false);
    expect('error' in enc({ attributes: { error: 'false' } }).tags).toBe(false);
    expect(enc({ attributes: { error: false }, status: { code: 2, message: 'boom' } }).tags.error).toBe('boom');
  });

  it('names the peer of client and producer spans in remoteEndpoint (Zipkin’s dependency links)', () => {
    const http = { 'http.request.method': 'GET', 'server.address': 'api.example.com', 'server.port': 443 };
    expect(enc({ kind: 2, attributes: http }).remoteEndpoint).toEqual({ serviceName: 'api.example.com', port: 443 });
    expect(enc({ kind: 3, attributes: { 'peer.service': 'orders', 'server.address': 'mq.local' } }).remoteEndpoint).toEqual({ serviceName: 'orders' });
    expect(enc({ kind: 2, attributes: { 'net.peer.name': 'legacy.local', 'server.port': 0 } }).remoteEndpoint).toEqual({ serviceName: 'legacy.local' });
    expect(enc({ kind: 0, attributes: http }).remoteEndpoint).toBeUndefined();
    expect(enc({ kind: 1, attributes: http }).remoteEndpoint).toBeUndefined();
    expect(enc({ kind: 2 }).remoteEndpoint).toBeUndefined();
  });

  it('leaves out a server.port Zipkin would refuse the whole batch for (a fraction, past 65535)', () => {
    for (const port of [8080.5, 70_000, -1]) expect(enc({ kind: 2, attributes: { 'server.address': 'api', 'server.port': port } }).remoteEndpoint).toEqual({ serviceName: 'api' });
  });
});
