/**
 * `spanbeam`: the tracing SDK and its exporters. Spans, context and sampling come from the core;
 * `start()` wires instrumentations and export in one call.
 */
export * from './sdk/index';
export * from './export/index';
export { start } from './start';
export type { StartOptions, SpanbeamHandle, Instrumentations } from './start';
export type { ErrorsOptions, InteractionOptions, LongTasksOptions, PageLoadOptions, WebVitalsOptions } from './sdk/instrument';
