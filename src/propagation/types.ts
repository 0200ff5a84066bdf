/**
 * Types of the propagation layer. This folder imports nothing from other src folders, so the
 * span context shape is declared here again; it must stay structurally identical to
 * `SpanContext` in src/sdk/types.ts (a compile-time test checks that).
 */

export interface PropagationContext {
  /** 32 lowercase hex characters, never all zero. */
  traceId: string;
  /** 16 lowercase hex characters, never all zero. */
  spanId: string;
  /** W3C trace-flags byte: bit 0 sampled, bit 1 random (Level 2). */
  traceFlags: number;
  /** Serialized W3C tracestate, if any. */
  traceState?: string;
  /** True when the context was extracted from a carrier (another process). */
  isRemote?: boolean;
}

/** What `extract` returns: a context that came from another process. */
export type RemoteContext = PropagationContext & { isRemote: true };

/**
 * A plain header object: Node's `IncomingHttpHeaders` (repeated headers as arrays),
 * `OutgoingHttpHeaders` (`http.request` options; numbers are read as strings), fetch init records.
 */
export type HeaderRecord = Record<string, string | readonly string[] | number | undefined>;

/** The part of the Fetch `Headers` class we use; duck-typed so no DOM lib is needed at runtime. */
export interface HeadersLike {
  get(name: string): string | null;
  set(name: string, value: string): void;
  /** Used to remove a stale header (fetch `Headers` has it). */
  delete?(name: string): void;
  forEach(callback: (value: string, name: string) => void): void;
}

/** Anything headers can be read from or written to; arrays are `[name, value]` pairs (fetch's `HeadersInit`). */
export type Carrier = HeadersLike | HeaderRecord | string[][];

/** One W3C baggage list member. `value` is decoded; `metadata` is the property list as sent (still encoded). */
export interface BaggageEntry {
  key: string;
  value: string;
  metadata?: string;
}

/** A trace-context wire format (W3C, B3, Jaeger …). */
export interface Propagator {
  inject(context: PropagationContext, carrier: Carrier): void;
  extract(carrier: Carrier): RemoteContext | undefined;
  /** Lowercase header names this propagator reads and writes (e.g. for CORS allow-lists). */
  readonly fields: readonly string[];
}

/** Bit 0 of trace-flags. */
export const TRACE_FLAG_SAMPLED = 0x01;
/** Bit 1 of trace-flags (Level 2): the right-most 7 bytes of the trace id are random. */
export const TRACE_FLAG_RANDOM = 0x02;
