// The tracing core alone: tracer, spans, context, sampling, resource.
export { getTracer, context, configureTracing } from '../../src/sdk/index';
