import type {
  AttributeValue,
  Attributes,
  InstrumentationScope,
  LinkInput,
  ReadableSpan,
  Resource,
  Span,
  SpanContext,
  SpanEvent,
  SpanKind,
  SpanLink,
  SpanStatus,
} from './types';
import type { SpanLimits } from './limits';
import { DROPPED, copyAttributes, putAttribute, sanitizeValue, toAttributes } from './attributes';
import { timeOrNow } from './clock';
import { DEV, warn } from './diag';

/** What a span needs from its tracer at end: where to report itself. */
export interface SpanSink {
  readonly limits: SpanLimits;
  _onEnd(span: RecordingSpan): void;
}

// No events or links yet: the array is made at the first one (most spans have none).
const NONE: never[] = [];
const UNSET: SpanStatus = { code: 0 };

let scrub = (text: string) => text;
/** Sets how the text of recorded exceptions is rewritten: the errors instrumentation redacts the URLs in it. */
export const scrubExceptions = (f: typeof scrub): unknown => (scrub = f);

/**
 * The `exception.*` attributes of a thrown value (what `recordException` records). Reading it runs
 * its code (getters, toString, proxy traps), which may throw: what was read is kept, nothing
 * throws into the app's catch block.
 */
export function exceptionAttributes(exception: unknown): Attributes {
  const attrs: Attributes = { 'exception.message': '[unprintable]' };
  try {
    // Errors (of any realm) have `message` on their prototype.
    if (exception && typeof exception === 'object' && 'message' in exception) {
      const e = exception as { name?: unknown; message?: unknown; stack?: unknown; constructor?: { name?: string } };
      attrs['exception.type'] = typeof e.name === 'string' ? e.name : (e.constructor?.name ?? 'Error');
      attrs['exception.message'] = scrub(String(e.message));
      if (typeof e.stack === 'string') attrs['exception.stacktrace'] = scrub(e.stack);
    } else {
      attrs['exception.message'] = scrub(String(exception));
    }
  } catch {}
  return attrs;
}

/**
 * A sampled span. It is also its own ReadableSpan, so ending one allocates nothing more.
 * Every public method is total: bad arguments are dropped and counted, nothing throws.
 */
export class RecordingSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  readonly _ctx: SpanContext;
  readonly parentSpanId: string | undefined;
  readonly parentIsRemote: boolean | undefined;
  readonly startMs: number;
  endMs: number;
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status: SpanStatus;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  /** Attributes as [key, value, key, value…]: appending to a flat array is cheaper than growing an object. */
  private _a: unknown[];
  private _o: Attributes | undefined;
  private readonly _sink: SpanSink;

  constructor(
    sink: SpanSink,
    name: string,
    kind: SpanKind,
    context: SpanContext,
    parent: SpanContext | undefined,
    startMs: number,
    resource: Resource,
    scope: InstrumentationScope,
  ) {
    this._sink = sink;
    this.name = name;
    this.kind = kind;
    this._ctx = context;
    this.parentSpanId = parent?.spanId;
    this.parentIsRemote = parent ? parent.isRemote === true : undefined;
    this.startMs = startMs;
    this.endMs = NaN;
    this._a = [];
    this._o = undefined;
    this.droppedAttributesCount = 0;
    this.events = NONE;
    this.droppedEventsCount = 0;
    this.links = NONE;
    this.droppedLinksCount = 0;
    this.status = UNSET;
    this.resource = resource;
    this.scope = scope;
  }

  spanContext(): SpanContext {
    return this._ctx;
  }

  /** The attributes as an object, built once when an exporter first reads them. */
  get attributes(): Attributes {
    return (this._o ??= toAttributes(this._a));
  }

  /** Callers pass `DEV && 'name'`: the method name only reaches development builds. */
  private _ended(method: string | false): boolean {
    if (this.endMs === this.endMs) {
      warn('span.after_end', DEV ? `${method}() called on an ended span "${this.name}"; ignored` : '');
      return true;
    }
    return false;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this._ended(DEV && 'setAttribute')) return this;
    if (putAttribute(this._a, key, value, this._sink.limits) === DROPPED) this.droppedAttributesCount++;
    else this._o = undefined;
    return this;
  }

  setAttributes(attributes: Partial<Attributes>): this {
    if (this._ended(DEV && 'setAttributes') || !attributes || typeof attributes !== 'object') return this;
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributes?: Partial<Attributes> | number, timeMs?: number): this {
    if (this._ended(DEV && 'addEvent')) return this;
    // Accept OpenTelemetry's addEvent(name, time) overload as well.
    if (typeof attributes === 'number') {
      timeMs = attributes;
      attributes = undefined;
    }
    const limits = this._sink.limits;
    if (this.events.length >= limits.eventCountLimit) {
      this.droppedEventsCount++;
      return this;
    }
    const [attrs, dropped] = copyAttributes(attributes, limits);
    if (this.events === NONE) this.events = [];
    this.events.push({
      name: String(name),
      timeMs: timeOrNow(timeMs),
      attributes: attrs,
      droppedAttributesCount: dropped,
    });
    return this;
  }

  addLink(link: SpanContext | LinkInput, attributes?: Partial<Attributes>): this {
    // OpenTelemetry's addLink({ context, attributes }) form as well.
    if (link && 'context' in link) ({ context: link, attributes } = link);
    const context = link as SpanContext;
    if (this._ended(DEV && 'addLink') || !context || typeof context.traceId !== 'string' || typeof context.spanId !== 'string') return this;
    const limits = this._sink.limits;
    if (this.links.length >= limits.linkCountLimit) {
      this.droppedLinksCount++;
      return this;
    }
    const [attrs, dropped] = copyAttributes(attributes, limits);
    if (this.links === NONE) this.links = [];
    this.links.push({ context, attributes: attrs, droppedAttributesCount: dropped });
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this._ended(DEV && 'setStatus') || !status) return this;
    // OK is final: once set, later UNSET/ERROR are ignored (OpenTelemetry API semantics). UNSET
    // and unknown codes change nothing (an unknown one must not lock the status to OK).
    const c = status.code;
    if (this.status.code === 1 || (c !== 1 && c !== 2)) return this;
    // The description is cut as attribute values are (an error's message may be 100 KB), never
    // inside a surrogate pair.
    this.status =
      c === 2 && typeof status.message === 'string' ? { code: 2, message: sanitizeValue(status.message, this._sink.limits.attributeValueLengthLimit) as string } : { code: c };
    return this;
  }

  updateName(name: string): this {
    if (this._ended(DEV && 'updateName')) return this;
    if (typeof name === 'string') this.name = name;
    return this;
  }

  recordException(exception: unknown, timeMs?: number): this {
    // Not read at all once ended (reading runs the value's code).
    if (this._ended(DEV && 'recordException')) return this;
    return this.addEvent('exception', exceptionAttributes(exception), timeMs);
  }

  end(endTime?: number): void {
    if (this._ended(DEV && 'end')) return;
    let end = timeOrNow(endTime);
    if (end < this.startMs) end = this.startMs; // a negative duration is never exported
    this.endMs = end;
    this._sink._onEnd(this);
  }

  isRecording(): boolean {
    return this.endMs !== this.endMs;
  }
}

/**
 * A span that was not sampled: it carries its context so propagation still works (flags say
 * not sampled) but records nothing and costs nothing at end.
 */
export class NonRecordingSpan implements Span {
  private readonly _ctx: SpanContext;
  constructor(ctx: SpanContext) {
    this._ctx = ctx;
  }
  spanContext(): SpanContext {
    return this._ctx;
  }
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  recordException(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
}
