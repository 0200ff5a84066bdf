// The smallest useful setup: the core, fetch instrumentation and OTLP export.
export { getTracer, getTracerProvider, configureTracing, createOtlpExporter } from '../../src/index';
export { instrumentFetch } from '../../src/sdk/instrument/fetch';
