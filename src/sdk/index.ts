// Public API of the tracing core.
export type {
  AttributeScalar,
  AttributeValue,
  Attributes,
  InstrumentationScope,
  LinkInput,
  ReadableSpan,
  Resource,
  Span,
  SpanContext,
  SpanEvent,
  SpanLink,
  SpanOptions,
  SpanProcessor,
  SpanStatus,
} from './types';
export { SpanKind, SpanStatusCode, TraceFlags } from './types';
export { Tracer, getTracer } from './tracer';
export type { TracingConfig } from './provider';
export { TracerProvider, configureTracing, getTracerProvider, setTracerProvider } from './provider';
export type { ContextManager } from './context';
export { StackContextManager, context, getActiveSpan, getContextManager, setContextManager } from './context';
export type { Sampler, ParentBasedOptions } from './sampler';
export { alwaysOff, alwaysOn, parentBasedSampler, traceIdRatioSampler } from './sampler';
export type { SpanLimits } from './limits';
export { DEFAULT_LIMITS } from './limits';
export type { SessionOptions } from './session';
export type { ResourceOptions } from './resource';
export type { ExportResult, SpanExporter } from './processor';
export { InMemorySpanExporter, SimpleSpanProcessor, onSpanEnd, onSpanStart } from './processor';
export { getSelfCounters, resetSelfCounters, setDebug } from './diag';
export { nowMs } from './clock';
export { VERSION } from './version';
export type { LiveSpanSource } from './live';
export { liveSpans } from './live';
