import type { ReadableSpan, SpanProcessor } from '../sdk/types';
import type { Sampler } from '../sdk/sampler';
import { traceIdRatioSampler } from '../sdk/sampler';
import { guard } from '../sdk/diag';

/**
 * Tail sampling ("keep what matters"): which traces to export, decided when the trace's local
 * root span ends (the span without a parent, or whose parent is remote), once the whole local
 * part of the trace is known. Needs head sampling to record every trace (the default).
 */
export interface TailSamplingOptions {
  /** Keep every trace with a span whose status is ERROR. Default `true`. */
  keepErrors?: boolean;
  /** Keep every trace with a span at least this long, in ms. Default `2000`; `Infinity` disables. */
  slowMs?: number;
  /** Fraction of the remaining traces kept, decided from the trace id (consistent across services). Default `0.1`. */
  ratio?: number;
  /** Extra rule: return true to keep a trace (its locally ended spans so far). */
  keep?: (spans: readonly ReadableSpan[]) => boolean;
  /** Spans held while waiting for roots; past this the oldest trace is decided early. Default `2000`. */
  maxBufferedSpans?: number;
}

export interface TailSampler {
  onEnd(span: ReadableSpan): void;
  /**
   * Hands on now every waiting trace kept by its spans so far (on page hide and flush); the others
   * wait for their local root.
   */
  flush(): void;
}

const isLocalRoot = (s: ReadableSpan) => !s.parentSpanId || s.parentIsRemote === true;

/** The tail-sampling core: buffers spans per trace and hands kept ones to `forward`. */
export function createTailSampler(o: TailSamplingOptions, forward: (span: ReadableSpan) => void, onDrop?: (n: number) => void): TailSampler {
  const keepErrors = o.keepErrors ?? true;
  const slow = o.slowMs ?? 2000;
  const ratio = traceIdRatioSampler(o.ratio ?? 0.1);
  const max = o.maxBufferedSpans ?? 2000;
  const waiting = new Map<string, ReadableSpan[]>();
  // Decisions for spans that end after their local root (bounded, oldest forgotten first).
  const decided = new Map<string, boolean>();
  let held = 0;
  const matters = (s: ReadableSpan) => (keepErrors && s.status.code === 2) || s.endMs - s.startMs >= slow;

  const decide = (traceId: string, flushing?: boolean) => {
    const spans = waiting.get(traceId) ?? [];
    const keep =
      spans.some(matters) ||
      // The app's rule runs in page hide and span end: a throw keeps the trace rather than lose it
      // and abort them.
      (guard('export.tail_keep_failed', () => o.keep?.(spans) ?? false) ?? true) ||
      // Its context carries the trace's tracestate, whose `ot=rv:` decides when present.
      ratio.shouldSample(spans[0]?.spanContext(), traceId, '', 0, undefined);
    // Flushed (page hide) before its root ended, a trace not kept yet may still be (a slow root, a
    // later error): it waits for its root or the buffer cap. Decided now, a tab hidden for a moment
    // during a slow operation lost it; if the page is closing, it has nothing the policy keeps.
    if (flushing && !keep) return;
    waiting.delete(traceId);
    held -= spans.length;
    decided.set(traceId, keep);
    if (decided.size > 500) decided.delete(decided.keys().next().value as string);
    if (keep) spans.forEach(forward);
    else onDrop?.(spans.length);
  };

  return {
    onEnd(span) {
      const id = span.spanContext().traceId;
      let known = decided.get(id);
      // An error or slow span after its trace was dropped (a late callback's error under zone.js,
      // a root decided early by the buffer cap) keeps the rest of the trace: losing the error
      // broke the promise to keep every one; the spans dropped before it are gone.
      if (known === false && matters(span)) decided.set(id, (known = true));
      if (known !== undefined) {
        if (known) forward(span);
        else onDrop?.(1);
        return;
      }
      const list = waiting.get(id);
      if (list) list.push(span);
      else waiting.set(id, [span]);
      held++;
      if (isLocalRoot(span)) decide(id);
      while (held > max && waiting.size) decide(waiting.keys().next().value as string);
    },
    flush() {
      for (const id of [...waiting.keys()]) decide(id, true);
    },
  };
}

/**
 * The exporters' `tailSampling` option, made by `tailSampler()`: a value rather than plain
 * options, so exporters that do not tail-sample do not carry the sampler's code.
 */
export type TailSampling = (forward: (span: ReadableSpan) => void, onDrop: (n: number) => void) => TailSampler;

/** Tail sampling for `createOtlpExporter({ tailSampling: tailSampler({ slowMs: 1000 }) })` (or `start({ exporter: … })`). */
export function tailSampler(options: TailSamplingOptions = {}): TailSampling {
  return (forward, onDrop) => createTailSampler(options, forward, onDrop);
}

/** Wraps a processor so it only sees spans of the traces tail sampling keeps. */
export function tailSamplingProcessor(next: SpanProcessor, options: TailSamplingOptions = {}): SpanProcessor {
  const t = createTailSampler(options, (s) => next.onEnd(s));
  return {
    onStart: (s, p) => next.onStart(s, p),
    onEnd: (s) => t.onEnd(s),
    forceFlush() {
      t.flush();
      return next.forceFlush();
    },
    shutdown() {
      t.flush();
      return next.shutdown();
    },
  };
}

/**
 * Head sampler for cost control: at most `perMinute` new traces per minute in this page (a token
 * bucket, so short bursts up to `perMinute` pass). Child spans follow their parent's decision.
 */
export function rateLimitingSampler(perMinute: number, now: () => number = Date.now): Sampler {
  const rate = perMinute > 0 ? perMinute : 0; // NaN (a setting that is not a number) too: it let every trace through
  // The bucket holds at least one token: below 1/min (one trace every 2 min), it never filled to one.
  const cap = rate && Math.max(rate, 1);
  let tokens = cap;
  let last = now();
  return {
    shouldSample(parent) {
      if (parent) return (parent.traceFlags & 1) === 1;
      const t = now();
      // Never less for a clock set back: an hour back admitted nothing for an hour.
      tokens = Math.min(cap, tokens + (Math.max(0, t - last) * rate) / 60_000);
      last = t;
      if (tokens < 1) return false;
      tokens--;
      return true;
    },
    toString: () => `RateLimiting{${rate}/min}`,
  };
}
