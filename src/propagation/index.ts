export type {
  BaggageEntry,
  Carrier,
  HeaderRecord,
  HeadersLike,
  PropagationContext,
  Propagator,
  RemoteContext,
} from './types';
export { TRACE_FLAG_RANDOM, TRACE_FLAG_SAMPLED } from './types';
export { getHeader, setHeader, forEachHeader } from './carrier';
export { isValidSpanId, isValidTraceId } from './hex';
export { parseTraceparent, formatTraceparent, TRACEPARENT_LENGTH } from './traceparent';
export {
  parseTraceState,
  serializeTraceState,
  normalizeTraceState,
  getTraceStateValue,
  setTraceStateValue,
  deleteTraceStateValue,
  isValidTraceStateKey,
  isValidTraceStateValue,
  MAX_TRACESTATE_MEMBERS,
} from './tracestate';
export type { TraceStateEntries } from './tracestate';
export { extractContext, injectContext, w3cTraceContext, TRACEPARENT_HEADER, TRACESTATE_HEADER } from './w3c';
export {
  extractBaggage,
  injectBaggage,
  parseBaggage,
  formatBaggage,
  isValidBaggageKey,
  BAGGAGE_HEADER,
  MAX_BAGGAGE_MEMBERS,
  MAX_BAGGAGE_BYTES,
} from './baggage';
export { percentDecode, percentEncode } from './percent';
export { createPropagationPolicy, propagationPolicyWith } from './policy';
export type {
  PropagateToEntry,
  PropagationPolicy,
  PropagationPolicyOptions,
  PropagationTarget,
} from './policy';
export { parseServerTimingTraceparent, parseServerTimingHeader } from './server-timing';
export type { ServerTimingLike } from './server-timing';
export { injectWith, extractWith } from './composite';
export { b3Single, b3Multi, parseB3Single, parseB3Multi } from './b3';
export type { B3Fields, B3SamplingState } from './b3';
export { jaeger, parseJaegerHeader, extractJaegerBaggage, injectJaegerBaggage } from './jaeger';
