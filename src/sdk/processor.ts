import type { ReadableSpan, Span, SpanProcessor } from './types';

/** Outcome of one export attempt; transports return it instead of throwing. */
export type ExportResult =
  | { code: 'success'; rejected?: number }
  | { code: 'retryable'; retryAfterMs?: number; error?: string }
  | { code: 'failure'; error?: string };

export interface SpanExporter {
  export(spans: ReadableSpan[]): Promise<ExportResult>;
  shutdown(): Promise<void>;
}

/** Exports each span as it ends. For tests and development; use the batching outbox in production. */
export class SimpleSpanProcessor implements SpanProcessor {
  private readonly exporter: SpanExporter;
  private pending = new Set<Promise<unknown>>();

  constructor(exporter: SpanExporter) {
    this.exporter = exporter;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & 1) === 0) return;
    const p = this.exporter.export([span]).catch(() => undefined);
    this.pending.add(p);
    void p.then(() => this.pending.delete(p));
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    await this.exporter.shutdown();
  }
}

/** Keeps ended spans in memory: `getFinishedSpans()` for assertions, `reset()` between tests. */
export class InMemorySpanExporter implements SpanExporter {
  private spans: ReadableSpan[] = [];
  private stopped = false;

  export(spans: ReadableSpan[]): Promise<ExportResult> {
    if (this.stopped) return Promise.resolve({ code: 'failure', error: 'exporter shut down' });
    this.spans.push(...spans);
    return Promise.resolve({ code: 'success' });
  }

  getFinishedSpans(): ReadableSpan[] {
    return this.spans.slice();
  }

  reset(): void {
    this.spans = [];
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}

/** A processor that calls back on every ended span: the smallest seam for custom pipelines. */
export function onSpanEnd(callback: (span: ReadableSpan) => void): SpanProcessor {
  return {
    onStart() {},
    onEnd: callback,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

/** A processor that calls back on every started span, while it is open: e.g. to add `user.id`. */
export function onSpanStart(callback: (span: Span & ReadableSpan) => void): SpanProcessor {
  return { ...onSpanEnd(() => {}), onStart: callback };
}
