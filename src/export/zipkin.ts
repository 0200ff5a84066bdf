import type { Attributes, ReadableSpan } from '../sdk/types';

const KINDS = [undefined, 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const us = (ms: number): number => Math.round(ms * 1000);

/** One span in Zipkin's v2 JSON model (µs times, string tags, resource attributes as tags). */
export function encodeZipkinSpan(s: ReadableSpan, extra?: Attributes): Record<string, unknown> {
  const ctx = s.spanContext();
  const end = s.endMs === s.endMs ? s.endMs : s.startMs;
  const tags: Record<string, string> = {};
  const put = (a: Attributes) => {
    for (const k in a) {
      const v = a[k];
      tags[k] = Array.isArray(v) ? JSON.stringify(v) : String(v);
    }
  };
  const { 'service.name': service, ...res } = s.resource.attributes;
  put(res);
  put(s.attributes);
  if (extra) put(extra);
  tags['otel.scope.name'] = s.scope.name;
  if (s.scope.version) tags['otel.scope.version'] = s.scope.version;
  if (s.status.code) tags['otel.status_code'] = s.status.code === 2 ? 'ERROR' : 'OK';
  if (s.status.code === 2) tags.error = s.status.message || 'true';
  const z: Record<string, unknown> = {
    traceId: ctx.traceId,
    id: ctx.spanId,
    name: s.name,
    timestamp: us(s.startMs),
    duration: Math.max(1, us(end) - us(s.startMs)),
    localEndpoint: { serviceName: String(service ?? 'unknown_service') },
    tags,
  };
  if (s.parentSpanId) z.parentId = s.parentSpanId;
  if (KINDS[s.kind]) z.kind = KINDS[s.kind];
  if (s.events.length) z.annotations = s.events.map((e) => ({ timestamp: us(e.timeMs), value: e.name }));
  return z;
}

/** A Zipkin v2 `POST /api/v2/spans` body. Batch attributes become tags of the first span. */
export function zipkinBody(spans: ReadableSpan[], encoded: string[], extra?: Attributes, first?: Attributes): string {
  const parts = encoded.slice();
  if (parts.length && (extra || first)) parts[0] = JSON.stringify(encodeZipkinSpan(spans[0], { ...extra, ...first }));
  return `[${parts.join(',')}]`;
}

/** Spans as a Zipkin v2 JSON array string. */
export function encodeZipkinJsonString(spans: ReadableSpan[]): string {
  return zipkinBody(spans, spans.map((s) => JSON.stringify(encodeZipkinSpan(s))));
}
