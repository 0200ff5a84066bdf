/**
 * The span wire model shared by the SDK, the exporters and (type-only) the viewer.
 * Times are epoch milliseconds as floats (performance.timeOrigin + performance.now()),
 * which keeps sub-microsecond precision for present-day dates.
 */

export type AttributeScalar = string | number | boolean;
export type AttributeValue = AttributeScalar | string[] | number[] | boolean[];
export type Attributes = Record<string, AttributeValue>;

/** API span kinds, 0-based like the OpenTelemetry API (OTLP adds 1 on the wire). */
export const SpanKind = {
  INTERNAL: 0,
  SERVER: 1,
  CLIENT: 2,
  PRODUCER: 3,
  CONSUMER: 4,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

export const SpanStatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type SpanStatusCode = (typeof SpanStatusCode)[keyof typeof SpanStatusCode];

export const TraceFlags = { NONE: 0, SAMPLED: 1, RANDOM: 2 } as const;

export interface SpanContext {
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

export interface SpanStatus {
  code: SpanStatusCode;
  /** Only meaningful with ERROR. */
  message?: string;
}

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface SpanLink {
  context: SpanContext;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface Resource {
  attributes: Attributes;
}

export interface InstrumentationScope {
  name: string;
  version?: string;
}

/** An ended (or in-flight, read-only) span as processors and exporters see it. */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  // `| undefined`: RecordingSpan sets them to undefined, which apps with exactOptionalPropertyTypes check.
  readonly parentSpanId?: string | undefined;
  readonly parentIsRemote?: boolean | undefined;
  readonly startMs: number;
  /** NaN until the span ends. */
  readonly endMs: number;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly events: SpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: SpanLink[];
  readonly droppedLinksCount: number;
  readonly status: SpanStatus;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

// Inputs take `undefined` where the runtime does (an undefined attribute value is a no-op, an
// undefined option its default), so OpenTelemetry-style code and the README's examples compile
// under `exactOptionalPropertyTypes` too.
/** A link to another span, as given to `startSpan`'s `links` or `addLink`. */
export interface LinkInput {
  context: SpanContext;
  attributes?: Partial<Attributes> | undefined;
}

export interface SpanOptions {
  kind?: SpanKind | undefined;
  attributes?: Partial<Attributes> | undefined;
  links?: LinkInput[] | undefined;
  /** Epoch ms (or a `performance.now()`-style time, below 1e12); defaults to now. */
  startTime?: number | undefined;
  /** Explicit parent: a span, a span context, or null for a new root. Defaults (also when undefined) to the active span. */
  parent?: Span | SpanContext | null | undefined;
  /** Start a new trace even when a span is active. */
  root?: boolean | undefined;
}

export interface Span {
  spanContext(): SpanContext;
  setAttribute(key: string, value: AttributeValue | undefined): this;
  setAttributes(attributes: Partial<Attributes>): this;
  /** `addEvent(name, timeMs)` works too (OpenTelemetry's overload). */
  addEvent(name: string, attributesOrTimeMs?: Partial<Attributes> | number, timeMs?: number): this;
  /** `addLink({ context, attributes })` works too (OpenTelemetry's form). */
  addLink(context: SpanContext | LinkInput, attributes?: Partial<Attributes>): this;
  setStatus(status: SpanStatus): this;
  updateName(name: string): this;
  recordException(exception: unknown, timeMs?: number): this;
  end(endTime?: number): void;
  isRecording(): boolean;
}

export interface SpanProcessor {
  /** The span is still open: attributes may be added here (e.g. who the user is). */
  onStart(span: Span & ReadableSpan, parent: SpanContext | undefined): void;
  onEnd(span: ReadableSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
