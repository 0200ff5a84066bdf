import { isLowerHexCode, isValidSpanId, isValidTraceId, scanLowerHex, trimOws } from './hex';
import { TRACE_FLAG_RANDOM, TRACE_FLAG_SAMPLED } from './types';
import type { PropagationContext, RemoteContext } from './types';

/** Length of a version-00 traceparent: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
export const TRACEPARENT_LENGTH = 55;

/** Flags this implementation knows; others are reserved and MUST be sent as zero. */
const KNOWN_FLAGS = TRACE_FLAG_SAMPLED | TRACE_FLAG_RANDOM;

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

/**
 * Parses a W3C Trace Context Level 2 `traceparent` value (also the content of
 * `<meta name="traceparent">` and a Server-Timing `desc`). Surrounding spaces/tabs are ignored.
 * Version 00 is strict (exactly 55 characters). Higher versions are read forward-compatibly:
 * the first four fields are used, and anything after the flags must start with '-'.
 * Version ff, uppercase hex, all-zero ids and wrong lengths are rejected (undefined).
 * Only the sampled and random flags are kept: the rest are reserved.
 */
export function parseTraceparent(value: string | null | undefined): RemoteContext | undefined {
  if (typeof value !== 'string') return undefined;
  const v = trimOws(value);
  const n = v.length;
  if (n < TRACEPARENT_LENGTH) return undefined;
  const v0 = v.charCodeAt(0);
  const v1 = v.charCodeAt(1);
  if (!isLowerHexCode(v0) || !isLowerHexCode(v1) || v.charCodeAt(2) !== 45) return undefined;
  if (v0 === 102 && v1 === 102) return undefined; // version ff is forbidden
  if (v0 === 48 && v1 === 48) {
    if (n !== TRACEPARENT_LENGTH) return undefined;
  } else if (n > TRACEPARENT_LENGTH && v.charCodeAt(TRACEPARENT_LENGTH) !== 45) {
    return undefined;
  }
  if (scanLowerHex(v, 3, 32) !== 2 || v.charCodeAt(35) !== 45) return undefined;
  if (scanLowerHex(v, 36, 16) !== 2 || v.charCodeAt(52) !== 45) return undefined;
  const f0 = v.charCodeAt(53);
  const f1 = v.charCodeAt(54);
  if (!isLowerHexCode(f0) || !isLowerHexCode(f1)) return undefined;
  const flags = ((hexValue(f0) << 4) | hexValue(f1)) & KNOWN_FLAGS;
  return { traceId: v.slice(3, 35), spanId: v.slice(36, 52), traceFlags: flags, isRemote: true };
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
