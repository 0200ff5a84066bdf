// OTLP JSON (ExportTraceServiceRequest) → the SDK's ReadableSpan shape, so the export module's
// `toChromeTrace` can write a trace the receiver holds.

/** @param {unknown} ns nanoseconds as a decimal string */
export function nanosToMs(ns) {
  const s = String(ns ?? '0');
  if (!/^\d+$/.test(s)) return Number(s) / 1e6 || 0;
  return s.length > 6 ? Number(s.slice(0, -6)) + Number(s.slice(-6)) / 1e6 : Number(s) / 1e6;
}

/** @param {any} v OTLP AnyValue @returns {any} */
function value(v) {
  if (!v) return '';
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return (v.arrayValue?.values ?? []).map(value);
  if ('kvlistValue' in v) return JSON.stringify(attributes(v.kvlistValue?.values));
  if ('bytesValue' in v) return String(v.bytesValue);
  return '';
}

/** @param {any[] | undefined} list @returns {Record<string, any>} */
function attributes(list) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const kv of list ?? []) out[kv.key] = value(kv.value);
  return out;
}

/**
 * @param {{ resourceSpans?: any[] }} request
 * @returns {import('spanbeam').ReadableSpan[]}
 */
export function spansFromOtlp(request) {
  /** @type {import('spanbeam').ReadableSpan[]} */
  const out = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = { attributes: attributes(rs.resource?.attributes) };
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? '', ...(ss.scope?.version ? { version: ss.scope.version } : {}) };
      for (const s of ss.spans ?? []) {
        const context = { traceId: s.traceId, spanId: s.spanId, traceFlags: (s.flags ?? 1) & 0xff, ...(s.traceState ? { traceState: s.traceState } : {}) };
        out.push({
          name: s.name ?? '',
          // OTLP kinds are 1-based (0 = unspecified); the SDK's are the API's 0-based ones.
          kind: /** @type {any} */ (Math.max(0, (s.kind ?? 1) - 1)),
          spanContext: () => context,
          parentSpanId: s.parentSpanId || undefined,
          startMs: nanosToMs(s.startTimeUnixNano),
          endMs: nanosToMs(s.endTimeUnixNano),
          attributes: attributes(s.attributes),
          droppedAttributesCount: s.droppedAttributesCount ?? 0,
          events: (s.events ?? []).map((/** @type {any} */ e) => ({
            name: e.name ?? '',
            timeMs: nanosToMs(e.timeUnixNano),
            attributes: attributes(e.attributes),
            droppedAttributesCount: e.droppedAttributesCount ?? 0,
          })),
          droppedEventsCount: s.droppedEventsCount ?? 0,
          links: (s.links ?? []).map((/** @type {any} */ l) => ({
            context: { traceId: l.traceId, spanId: l.spanId, traceFlags: (l.flags ?? 1) & 0xff },
            attributes: attributes(l.attributes),
            droppedAttributesCount: l.droppedAttributesCount ?? 0,
          })),
          droppedLinksCount: s.droppedLinksCount ?? 0,
          status: { code: s.status?.code ?? 0, ...(s.status?.message ? { message: s.status.message } : {}) },
          resource,
          scope,
        });
      }
    }
  }
  return out;
}
