import type { InstrumentationScope, Span, SpanContext, SpanOptions } from './types';
import type { TracerProvider } from './provider';
import { NonRecordingSpan, RecordingSpan } from './span';
import { getContextManager } from './context';
import { getTracerProvider } from './provider';
import { newSpanId, newTraceId } from './ids';
import { resyncClock, timeOrNow } from './clock';
import { DEV, warn } from './diag';

const FLAG_SAMPLED = 1;
const FLAG_RANDOM = 2;

/** A 32-hex trace id and a 16-hex span id, neither all zero. */
const VALID_IDS = /^(?!0+-)[\da-f]{32}-(?!0+$)[\da-f]{16}$/;

function parentContext(options: SpanOptions | undefined): SpanContext | undefined {
  const p = options?.root ? null : options?.parent;
  if (p === null) return undefined;
  const ctx =
    (p && (typeof (p as Span).spanContext === 'function' ? (p as Span).spanContext() : (p as SpanContext))) ||
    getContextManager().active()?.spanContext();
  // An invalid parent (e.g. OpenTelemetry's all-zero INVALID_SPAN_CONTEXT) starts a new trace,
  // as in OpenTelemetry: its ids could be neither exported nor propagated.
  return ctx && VALID_IDS.test(ctx.traceId + '-' + ctx.spanId) ? ctx : undefined;
}

type ActiveFn<R> = (span: Span) => R;

export class Tracer {
  readonly scope: InstrumentationScope;
  private readonly _p: TracerProvider | undefined;

  constructor(scope: InstrumentationScope, provider?: TracerProvider) {
    this.scope = scope;
    this._p = provider;
  }

  /** Starts a span; its parent is `options.parent`, else the active span, else none (a new trace). */
  startSpan(name: string, options?: SpanOptions): Span {
    const provider = this._p ?? getTracerProvider();
    try {
      const parent = parentContext(options);
      const kind = options?.kind ?? 0;
      // A trace started here stamps all its local spans with one clock anchor.
      const wall = !parent || parent.isRemote ? resyncClock() : undefined;
      const traceId = parent ? parent.traceId : newTraceId();
      const sampled = provider.sampler.shouldSample(parent, traceId, name, kind, options?.attributes);
      // New trace ids are random, so W3C Level 2's random flag is set on new traces and inherited.
      const random = parent ? parent.traceFlags & FLAG_RANDOM : FLAG_RANDOM;
      const ctx: SpanContext = { traceId, spanId: newSpanId(), traceFlags: (sampled ? FLAG_SAMPLED : 0) | random };
      if (parent?.traceState) ctx.traceState = parent.traceState;
      if (!sampled) return new NonRecordingSpan(ctx);
      // A local child takes the resource as it stands; new and remote-parented traces check the session.
      const resource = (wall === undefined && provider._res) || provider._rootRes(wall);
      const span = new RecordingSpan(
        provider,
        String(name),
        kind,
        ctx,
        parent,
        timeOrNow(options?.startTime),
        resource,
        this.scope,
      );
      if (options?.attributes) span.setAttributes(options.attributes);
      if (options?.links) for (const l of options.links) span.addLink(l);
      if (provider._ps.length) provider._onStart(span);
      return span;
    } catch (err) {
      warn('tracer.start_failed', DEV ? 'startSpan failed; returning a non-recording span' : '', err);
      return new NonRecordingSpan({ traceId: newTraceId(), spanId: newSpanId(), traceFlags: 0 });
    }
  }

  /**
   * Starts a span, makes it active while `fn` runs and returns what `fn` returns. The span is not
   * ended for you (as in OpenTelemetry): end it in `fn`, including on async completion.
   */
  startActiveSpan<R>(name: string, fn: ActiveFn<R>): R;
  startActiveSpan<R>(name: string, options: SpanOptions, fn: ActiveFn<R>): R;
  startActiveSpan<R>(name: string, a: SpanOptions | ActiveFn<R>, b?: ActiveFn<R>): R {
    const fn = typeof a === 'function' ? a : b!;
    const span = this.startSpan(name, typeof a === 'function' ? undefined : a);
    return getContextManager().with(span, fn, undefined, span);
  }

  /** Runs `fn` with `span` active; returns `fn`'s result. */
  withSpan<R>(span: Span, fn: () => R): R {
    return getContextManager().with(span, fn);
  }
}

const tracers = new Map<string, Tracer>();

/** The tracer for an instrumentation scope (default `spanbeam`); cached per name and version. */
export function getTracer(name = 'spanbeam', version?: string): Tracer {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const key = `${name}@${version ?? ''}`;
  let t = tracers.get(key);
  if (!t) {
    t = new Tracer(version ? { name, version } : { name });
    tracers.set(key, t);
  }
  return t;
}
