import { trimOws } from './hex';

/**
 * W3C Trace Context Level 2 `tracestate`: parse, validate, mutate, serialize.
 * Key grammar (Level 2): `( lcalpha / DIGIT ) 0*255( lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@" )`,
 * a superset of Level 1's `tenant@system` form. Values: 1–256 printable ASCII characters except
 * ',' and '=', not ending in a space.
 */

export const MAX_TRACESTATE_MEMBERS = 32;
const MAX_KEY_LENGTH = 256;
const MAX_VALUE_LENGTH = 256;

/** A parsed tracestate: ordered `[key, value]` pairs, left-most first. */
export type TraceStateEntries = Array<[key: string, value: string]>;

export function isValidTraceStateKey(key: string): boolean {
  if (typeof key !== 'string') return false;
  const n = key.length;
  if (n === 0 || n > MAX_KEY_LENGTH) return false;
  const c0 = key.charCodeAt(0);
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 48 && c0 <= 57))) return false;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) ||
      (c >= 48 && c <= 57) ||
      c === 95 /* _ */ ||
      c === 45 /* - */ ||
      c === 42 /* * */ ||
      c === 47 /* / */ ||
      c === 64; /* @ */
    if (!ok) return false;
  }
  return true;
}

export function isValidTraceStateValue(value: string): boolean {
  if (typeof value !== 'string') return false;
  const n = value.length;
  if (n === 0 || n > MAX_VALUE_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return value.charCodeAt(n - 1) !== 0x20;
}

/**
 * Parses a (possibly combined, multi-header) tracestate value. Empty and whitespace-only members
 * are skipped. Returns undefined when the header is invalid as a whole: a malformed member, or
 * more than 32 members. Of duplicated keys the left-most is kept (the spec lets vendors discard
 * duplicates, and its test suite expects the rest of the header to survive).
 */
export function parseTraceState(value: string | null | undefined): TraceStateEntries | undefined {
  if (typeof value !== 'string') return undefined;
  const entries: TraceStateEntries = [];
  let members = 0;
  let start = 0;
  const n = value.length;
  while (start <= n) {
    let end = value.indexOf(',', start);
    if (end === -1) end = n;
    const member = trimOws(value.slice(start, end));
    start = end + 1;
    if (member.length === 0) continue;
    if (++members > MAX_TRACESTATE_MEMBERS) return undefined;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const val = member.slice(eq + 1);
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(val)) return undefined;
    if (!hasKey(entries, key)) entries.push([key, val]);
  }
  return entries;
}

function hasKey(entries: TraceStateEntries, key: string): boolean {
  for (let i = 0; i < entries.length; i++) if (entries[i][0] === key) return true;
  return false;
}

/** Serializes entries with ',' and no optional whitespace. */
export function serializeTraceState(entries: TraceStateEntries): string {
  let out = '';
  for (let i = 0; i < entries.length; i++) {
    out += (i === 0 ? '' : ',') + entries[i][0] + '=' + entries[i][1];
  }
  return out;
}

/**
 * Validates a tracestate and returns it in canonical form (no empty members, no OWS, duplicates
 * removed), or undefined when it is invalid or empty.
 */
export function normalizeTraceState(value: string | null | undefined): string | undefined {
  const entries = parseTraceState(value);
  if (!entries || entries.length === 0) return undefined;
  return serializeTraceState(entries);
}

/** The value stored under `key`, if any. */
export function getTraceStateValue(traceState: string | undefined, key: string): string | undefined {
  const entries = parseTraceState(traceState);
  if (!entries) return undefined;
  for (const [k, v] of entries) if (k === key) return v;
  return undefined;
}

/**
 * Sets (adds or updates) a vendor key: the key moves to the front, the other members keep their
 * order, and members beyond 32 are removed from the right. An invalid key or value leaves the
 * input unchanged; an invalid existing tracestate is replaced by a new list holding only this
 * key (the old one could not be propagated anyway).
 */
export function setTraceStateValue(traceState: string | undefined, key: string, value: string): string | undefined {
  if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return traceState;
  const entries = parseTraceState(traceState) ?? [];
  const out: TraceStateEntries = [[key, value]];
  for (let i = 0; i < entries.length && out.length < MAX_TRACESTATE_MEMBERS; i++) {
    if (entries[i][0] !== key) out.push(entries[i]);
  }
  return serializeTraceState(out);
}

/** Removes a key; the rest keeps its order. Returns undefined when nothing is left. */
export function deleteTraceStateValue(traceState: string | undefined, key: string): string | undefined {
  const entries = parseTraceState(traceState);
  if (!entries) return undefined;
  const out = entries.filter((e) => e[0] !== key);
  return out.length === 0 ? undefined : serializeTraceState(out);
}
