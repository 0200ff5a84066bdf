import { getHeader, setHeader } from './carrier';
import { isValidSpanId, isValidTraceId, padHexId, trimOws } from './hex';
import { TRACE_FLAG_SAMPLED } from './types';
import type { Carrier, PropagationContext, Propagator, RemoteContext } from './types';

/**
 * Zipkin B3 (https://github.com/openzipkin/b3-propagation), for backends that predate W3C.
 * 64-bit trace ids are left-padded to 32 hex characters on extract. Sampling state: '1' accept,
 * '0' deny, 'd' debug (implies accept), absent = deferred (extracted as not sampled, since
 * trace-flags have no "undecided"). Ids are read case-insensitively and returned lowercase.
 */

export const B3_SINGLE_HEADER = 'b3';
export const B3_TRACE_ID_HEADER = 'x-b3-traceid';
export const B3_SPAN_ID_HEADER = 'x-b3-spanid';
export const B3_SAMPLED_HEADER = 'x-b3-sampled';
export const B3_FLAGS_HEADER = 'x-b3-flags';
export const B3_PARENT_SPAN_ID_HEADER = 'x-b3-parentspanid';

export type B3SamplingState = '0' | '1' | 'd';

export interface B3Fields {
  traceId?: string;
  spanId?: string;
  sampling?: B3SamplingState;
  parentSpanId?: string;
}

function readTraceId(value: string): string | undefined {
  return value.length === 16 || value.length === 32 ? padHexId(value, 32) : undefined;
}

function readSpanId(value: string): string | undefined {
  return value.length === 16 ? padHexId(value, 16) : undefined;
}

function readSampling(value: string): B3SamplingState | undefined {
  return value === '0' || value === '1' || value === 'd' ? value : undefined;
}

/**
 * Parses a single `b3` header: `{traceId}-{spanId}[-{sampling}[-{parentSpanId}]]` or a lone
 * sampling state. Returns undefined when malformed.
 */
export function parseB3Single(header: string | null | undefined): B3Fields | undefined {
  if (typeof header !== 'string') return undefined;
  const value = trimOws(header);
  const parts = value.split('-');
  if (parts.length === 1) {
    const sampling = readSampling(value);
    return sampling ? { sampling } : undefined;
  }
  if (parts.length > 4) return undefined;
  const traceId = readTraceId(parts[0]);
  const spanId = readSpanId(parts[1]);
  if (!traceId || !spanId) return undefined;
  const fields: B3Fields = { traceId, spanId };
  if (parts.length >= 3) {
    const sampling = readSampling(parts[2]);
    if (!sampling) return undefined;
    fields.sampling = sampling;
  }
  if (parts.length === 4) {
    const parentSpanId = readSpanId(parts[3]);
    if (!parentSpanId) return undefined;
    fields.parentSpanId = parentSpanId;
  }
  return fields;
}

function toContext(fields: B3Fields | undefined): RemoteContext | undefined {
  if (!fields || !fields.traceId || !fields.spanId) return undefined;
  const sampled = fields.sampling === '1' || fields.sampling === 'd';
  return { traceId: fields.traceId, spanId: fields.spanId, traceFlags: sampled ? TRACE_FLAG_SAMPLED : 0, isRemote: true };
}

function isInjectable(context: PropagationContext): boolean {
  return !!context && isValidTraceId(context.traceId) && isValidSpanId(context.spanId);
}

function samplingOf(context: PropagationContext): '0' | '1' {
  return context.traceFlags & TRACE_FLAG_SAMPLED ? '1' : '0';
}

/** B3 single-header propagation (`b3: {traceId}-{spanId}-{sampling}`). */
export const b3Single: Propagator = {
  inject(context: PropagationContext, carrier: Carrier): void {
    if (!isInjectable(context)) return;
    setHeader(carrier, B3_SINGLE_HEADER, context.traceId + '-' + context.spanId + '-' + samplingOf(context));
  },
  extract(carrier: Carrier): RemoteContext | undefined {
    return toContext(parseB3Single(getHeader(carrier, B3_SINGLE_HEADER)));
  },
  fields: [B3_SINGLE_HEADER],
};

/** Reads the `X-B3-*` headers; undefined when the ids present are malformed. */
export function parseB3Multi(carrier: Carrier): B3Fields | undefined {
  const rawTraceId = getHeader(carrier, B3_TRACE_ID_HEADER);
  const rawSpanId = getHeader(carrier, B3_SPAN_ID_HEADER);
  const rawSampled = getHeader(carrier, B3_SAMPLED_HEADER);
  const rawFlags = getHeader(carrier, B3_FLAGS_HEADER);
  const rawParent = getHeader(carrier, B3_PARENT_SPAN_ID_HEADER);
  const fields: B3Fields = {};
  if (rawTraceId !== undefined || rawSpanId !== undefined) {
    const traceId = readTraceId(trimOws(rawTraceId ?? ''));
    const spanId = readSpanId(trimOws(rawSpanId ?? ''));
    if (!traceId || !spanId) return undefined;
    fields.traceId = traceId;
    fields.spanId = spanId;
  }
  if (rawParent !== undefined) {
    const parentSpanId = readSpanId(trimOws(rawParent));
    if (parentSpanId) fields.parentSpanId = parentSpanId;
  }
  if (rawFlags !== undefined && trimOws(rawFlags) === '1') {
    fields.sampling = 'd';
  } else if (rawSampled !== undefined) {
    const s = trimOws(rawSampled).toLowerCase();
    // 'true'/'false' come from old instrumentation; the spec says to accept them.
    if (s === '1' || s === 'true') fields.sampling = '1';
    else if (s === '0' || s === 'false') fields.sampling = '0';
  }
  return fields;
}

/** B3 multi-header propagation (`X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled`, …). */
export const b3Multi: Propagator = {
  inject(context: PropagationContext, carrier: Carrier): void {
    if (!isInjectable(context)) return;
    setHeader(carrier, B3_TRACE_ID_HEADER, context.traceId);
    setHeader(carrier, B3_SPAN_ID_HEADER, context.spanId);
    setHeader(carrier, B3_SAMPLED_HEADER, samplingOf(context));
    // Copied from an incoming request, these describe the caller's span, not this one.
    setHeader(carrier, B3_PARENT_SPAN_ID_HEADER, undefined);
    setHeader(carrier, B3_FLAGS_HEADER, undefined);
  },
  extract(carrier: Carrier): RemoteContext | undefined {
    return toContext(parseB3Multi(carrier));
  },
  fields: [B3_TRACE_ID_HEADER, B3_SPAN_ID_HEADER, B3_SAMPLED_HEADER, B3_FLAGS_HEADER, B3_PARENT_SPAN_ID_HEADER],
};
