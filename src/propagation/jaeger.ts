import { forEachHeader, getHeader, setHeader } from './carrier';
import { isValidSpanId, isValidTraceId, padHexId, trimOws } from './hex';
import { isToken } from './token';
import { TRACE_FLAG_SAMPLED } from './types';
import type { BaggageEntry, Carrier, PropagationContext, Propagator, RemoteContext } from './types';

/**
 * Jaeger's native `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}`. Ids may omit
 * leading zeros (left-padded here); flags are a hex bitmap (1 sampled, 2 debug). Some clients
 * URL-encode the value (`%3A` for ':'), which is accepted.
 */

export const JAEGER_HEADER = 'uber-trace-id';
export const JAEGER_BAGGAGE_PREFIX = 'uberctx-';

const JAEGER_DEBUG = 0x02;

function decodeIfEncoded(value: string): string {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Parses an `uber-trace-id` value; undefined when malformed. */
export function parseJaegerHeader(header: string | null | undefined): RemoteContext | undefined {
  if (typeof header !== 'string') return undefined;
  const parts = trimOws(decodeIfEncoded(header)).split(':');
  if (parts.length !== 4) return undefined;
  const traceId = padHexId(parts[0], 32);
  const spanId = padHexId(parts[1], 16);
  if (!traceId || !spanId) return undefined;
  // parent-span-id is deprecated: any 64-bit hex, zero (root) included, also zero-padded as
  // OpenTelemetry Python writes it.
  if (!/^[\da-fA-F]{1,16}$/.test(parts[2])) return undefined;
  const flagsText = parts[3];
  if (flagsText.length === 0 || flagsText.length > 2 || !/^[0-9a-fA-F]+$/.test(flagsText)) return undefined;
  const flags = parseInt(flagsText, 16);
  const sampled = (flags & (TRACE_FLAG_SAMPLED | JAEGER_DEBUG)) !== 0;
  return { traceId, spanId, traceFlags: sampled ? TRACE_FLAG_SAMPLED : 0, isRemote: true };
}

export const jaeger: Propagator = {
  inject(context: PropagationContext, carrier: Carrier): void {
    if (!context || !isValidTraceId(context.traceId) || !isValidSpanId(context.spanId)) return;
    const flags = context.traceFlags & TRACE_FLAG_SAMPLED ? '01' : '00';
    setHeader(carrier, JAEGER_HEADER, context.traceId + ':' + context.spanId + ':0:' + flags);
  },
  extract(carrier: Carrier): RemoteContext | undefined {
    return parseJaegerHeader(getHeader(carrier, JAEGER_HEADER));
  },
  fields: [JAEGER_HEADER],
};

/** Reads Jaeger `uberctx-{key}` baggage headers (values URL-encoded). */
export function extractJaegerBaggage(carrier: Carrier): BaggageEntry[] {
  const out: BaggageEntry[] = [];
  forEachHeader(carrier, (name, value) => {
    if (!name.startsWith(JAEGER_BAGGAGE_PREFIX) || name.length === JAEGER_BAGGAGE_PREFIX.length) return;
    out.push({ key: name.slice(JAEGER_BAGGAGE_PREFIX.length), value: decodeIfEncoded(trimOws(value)) });
  });
  return out;
}

/** Writes each entry as an `uberctx-{key}` header (keys must be valid header-name tokens). */
export function injectJaegerBaggage(entries: readonly BaggageEntry[], carrier: Carrier): void {
  for (const entry of entries) {
    if (!entry || typeof entry.value !== 'string' || !isToken(entry.key)) continue;
    setHeader(carrier, JAEGER_BAGGAGE_PREFIX + entry.key, encodeURIComponent(toWellFormed(entry.value)));
  }
}

/** Replaces lone surrogates, which encodeURIComponent would throw on. */
function toWellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
