/**
 * The importers for use on the main thread, loaded on demand (a separate chunk): the fallback
 * when no Worker can start, and live SDK spans. Pages whose imports run in the Worker never
 * download this code.
 */
export { runPipeline } from './pipeline';
export { importReadableSpans } from './otlp-json';
