import { getHeader, setHeader } from './carrier';
import { formatTraceparent, parseTraceparent } from './traceparent';
import { normalizeTraceState } from './tracestate';
import type { Carrier, PropagationContext, Propagator, RemoteContext } from './types';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/**
 * Reads W3C trace context from a carrier. tracestate is only looked at when traceparent is valid,
 * and an invalid tracestate is dropped without affecting traceparent.
 */
export function extractContext(carrier: Carrier): RemoteContext | undefined {
  const context = parseTraceparent(getHeader(carrier, TRACEPARENT_HEADER));
  if (!context) return undefined;
  const raw = getHeader(carrier, TRACESTATE_HEADER);
  if (raw !== undefined) {
    const traceState = normalizeTraceState(raw);
    if (traceState !== undefined) context.traceState = traceState;
  }
  return context;
}

/**
 * Writes a version-00 `traceparent` and, when the context has a valid non-empty one, `tracestate`;
 * otherwise removes a `tracestate` the carrier already had. Writes nothing for an invalid context.
 */
export function injectContext(context: PropagationContext, carrier: Carrier): void {
  const traceparent = formatTraceparent(context);
  if (traceparent === undefined) return;
  setHeader(carrier, TRACEPARENT_HEADER, traceparent);
  // Normally already canonical (from extraction or the helpers); validated anyway so a bad string
  // handed in by the app never reaches Headers.set. A tracestate already in the carrier (headers
  // copied from the incoming request) belongs to another parent, or was invalid: it must not go
  // out beside the new traceparent.
  setHeader(carrier, TRACESTATE_HEADER, normalizeTraceState(context.traceState));
}

/** W3C Trace Context as a `Propagator`. */
export const w3cTraceContext: Propagator = {
  inject: injectContext,
  extract: extractContext,
  fields: [TRACEPARENT_HEADER, TRACESTATE_HEADER],
};
