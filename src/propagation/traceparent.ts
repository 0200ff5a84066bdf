import { isValidSpanId, isValidTraceId } from './hex';
import { TRACE_FLAG_RANDOM, TRACE_FLAG_SAMPLED } from './types';
import type { PropagationContext, RemoteContext } from './types';

/** Length of a version-00 traceparent: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
export const TRACEPARENT_LENGTH = 55;

/** Flags this implementation knows; others are reserved and MUST be sent as zero. */
const KNOWN_FLAGS = TRACE_FLAG_SAMPLED | TRACE_FLAG_RANDOM;

// version (not ff)-traceId-parentId (neither all zero)-flags, then (versions above 00 only)
// anything that starts with '-' and has no ',' (a comma only comes from two traceparent headers
// combined, which is invalid); optional whitespace (SP, HTAB) around it. The extra fields end in
// a non-space so they and the trailing whitespace never compete for the same characters (that
// backtracking was quadratic in the header's length).
const TRACEPARENT = /^[ \t]*(?!ff)([\da-f]{2})-(?!0{32})([\da-f]{32})-(?!0{16})([\da-f]{16})-([\da-f]{2})(-([^,]*[^, \t])?)?[ \t]*$/;

/**
 * Parses a W3C Trace Context Level 2 `traceparent` value (also the content of
 * `<meta name="traceparent">` and a Server-Timing `desc`). Surrounding spaces/tabs are ignored.
 * Version 00 is strict (exactly 55 characters). Higher versions are read forward-compatibly:
 * the first four fields are used, and anything after the flags must start with '-'.
 * Version ff, uppercase hex, all-zero ids and wrong lengths are rejected (undefined).
 * Only the sampled and random flags are kept: the rest are reserved.
 */
export function parseTraceparent(value: string | null | undefined): RemoteContext | undefined {
  const m = typeof value === 'string' ? TRACEPARENT.exec(value) : null;
  if (!m || (m[1] === '00' && m[5] !== undefined)) return undefined;
  return { traceId: m[2], spanId: m[3], traceFlags: parseInt(m[4], 16) & KNOWN_FLAGS, isRemote: true };
}

const FLAG_TEXT = ['00', '01', '02', '03'];

/**
 * Formats a version-00 traceparent, or undefined when the context's ids are invalid
 * (never send a header the receiver must reject). Reserved flag bits are cleared.
 */
export function formatTraceparent(context: PropagationContext): string | undefined {
  if (!context || !isValidTraceId(context.traceId) || !isValidSpanId(context.spanId)) return undefined;
  const flags = FLAG_TEXT[(context.traceFlags | 0) & KNOWN_FLAGS];
  return '00-' + context.traceId + '-' + context.spanId + '-' + flags;
}
