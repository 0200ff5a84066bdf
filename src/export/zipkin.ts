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
  // Zipkin marks a span failed by the mere presence of `error`: a false one goes (as OpenTelemetry's mapping says).
  if (tags.error === 'false') delete tags.error;
  tags['otel.scope.name'] = s.scope.name;
  if (s.scope.version) tags['otel.scope.version'] = s.scope.version;
  if (s.status.code) tags['otel.status_code'] = s.status.code === 2 ? 'ERROR' : 'OK';
  // The status's description, an empty one when it has none (OpenTelemetry's Zipkin mapping):
  // Zipkin marks a span failed by the tag's mere presence, whatever its value.
  if (s.status.code === 2) tags.error = s.status.message ?? '';
  // What limits cut, under the tags OpenTelemetry's Zipkin exporters use (the OTLP export has it too).
  const dropped: Array<[string, number]> = [['attributes', s.droppedAttributesCount], ['events', s.droppedEventsCount], ['links', s.droppedLinksCount]];
  for (const [k, n] of dropped) if (n) tags[`otel.dropped_${k}_count`] = String(n);
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
  // Without a remote endpoint Zipkin draws no dependency link from a client or producer span to an
  // uninstrumented peer (ranked as in OpenTelemetry's Zipkin mapping).
  const a = s.attributes;
  const peer = a['peer.service'] ?? a['server.address'] ?? a['net.peer.name'];
  if ((s.kind === 2 || s.kind === 3) && peer !== undefined) {
    const port = a['server.port'];
    // Zipkin refuses the whole request for a port that is not an integer in 1–65535.
    z.remoteEndpoint = { serviceName: String(peer), ...(typeof port === 'number' && port > 0 && port < 65536 && port % 1 === 0 && { port }) };
  }
  // Annotations have no attributes: they go in the value (`"name": {…}`), or an exception's message and stack would be lost.
  if (s.events.length)
    z.annotations = s.events.map((e) => ({
      timestamp: us(e.timeMs),
      value: Object.keys(e.attributes).length ? `${JSON.stringify(e.name)}: ${JSON.stringify(e.attributes)}` : e.name,
    }));
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
