import { getHeader, setHeader } from './carrier';
import { trimOws } from './hex';
import { isBaggageOctet, percentDecode, percentEncode } from './percent';
import { isToken } from './token';
import type { BaggageEntry, Carrier } from './types';

/**
 * W3C Baggage: `key = value *( ; property )` members separated by commas, OWS anywhere around
 * the delimiters. Values are percent-decoded on parse and encoded on format; properties are kept
 * as the `metadata` string in wire form. Invalid members are skipped. The spec's propagation
 * minimum (64 members, 8192 bytes) is the limit here: a member that does not fit is dropped
 * whole, never truncated.
 */

export const BAGGAGE_HEADER = 'baggage';
export const MAX_BAGGAGE_MEMBERS = 64;
export const MAX_BAGGAGE_BYTES = 8192;

export function isValidBaggageKey(key: string): boolean {
  return isToken(key);
}

function isBaggageOctets(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (!isBaggageOctet(value.charCodeAt(i))) return false;
  return true;
}

/**
 * Validates a property list (`prop;prop=val`, OWS allowed) and returns it canonical
 * (no OWS, empty properties dropped), '' when there are none, undefined when invalid.
 */
export function normalizeBaggageMetadata(metadata: string): string | undefined {
  let out = '';
  let start = 0;
  const n = metadata.length;
  while (start <= n) {
    let end = metadata.indexOf(';', start);
    if (end === -1) end = n;
    const prop = trimOws(metadata.slice(start, end));
    start = end + 1;
    if (prop.length === 0) continue;
    const eq = prop.indexOf('=');
    let canonical: string;
    if (eq === -1) {
      if (!isValidBaggageKey(prop)) return undefined;
      canonical = prop;
    } else {
      const key = trimOws(prop.slice(0, eq));
      const value = trimOws(prop.slice(eq + 1));
      if (!isValidBaggageKey(key) || !isBaggageOctets(value)) return undefined;
      canonical = key + '=' + value;
    }
    out += out.length === 0 ? canonical : ';' + canonical;
  }
  return out;
}

interface ParsedMember {
  entry: BaggageEntry;
  /** Canonical wire form, used for the size budget. */
  wire: string;
}

function parseMember(member: string): ParsedMember | undefined {
  const semi = member.indexOf(';');
  const kv = semi === -1 ? member : member.slice(0, semi);
  const eq = kv.indexOf('=');
  if (eq === -1) return undefined;
  const key = trimOws(kv.slice(0, eq));
  const rawValue = trimOws(kv.slice(eq + 1));
  if (!isValidBaggageKey(key) || !isBaggageOctets(rawValue)) return undefined;
  let wire = key + '=' + rawValue;
  const entry: BaggageEntry = { key, value: percentDecode(rawValue) };
  if (semi !== -1) {
    const metadata = normalizeBaggageMetadata(member.slice(semi + 1));
    if (metadata === undefined) return undefined;
    if (metadata.length > 0) {
      entry.metadata = metadata;
      wire += ';' + metadata;
    }
  }
  return { entry, wire };
}

/** Adds members in order while they fit both limits; a member that does not fit is skipped whole. */
class Budget {
  count = 0;
  bytes = 0;
  fits(wire: string): boolean {
    if (this.count >= MAX_BAGGAGE_MEMBERS) return false;
    // Wire forms are ASCII, so length is the byte count; +1 for the separating comma.
    const size = wire.length + (this.count === 0 ? 0 : 1);
    if (this.bytes + size > MAX_BAGGAGE_BYTES) return false;
    this.count++;
    this.bytes += size;
    return true;
  }
}

/** Parses a (possibly combined) baggage header value. */
export function parseBaggage(value: string | null | undefined): BaggageEntry[] {
  const entries: BaggageEntry[] = [];
  if (typeof value !== 'string' || value.length === 0) return entries;
  const budget = new Budget();
  let start = 0;
  const n = value.length;
  while (start <= n && budget.count < MAX_BAGGAGE_MEMBERS) {
    let end = value.indexOf(',', start);
    if (end === -1) end = n;
    const raw = trimOws(value.slice(start, end));
    start = end + 1;
    if (raw.length === 0) continue;
    const parsed = parseMember(raw);
    if (parsed && budget.fits(parsed.wire)) entries.push(parsed.entry);
  }
  return entries;
}

/**
 * Formats entries for the wire: values percent-encoded, metadata validated and kept. Entries with
 * an invalid key or metadata are skipped, and the limits apply as in `parseBaggage`.
 */
export function formatBaggage(entries: readonly BaggageEntry[]): string {
  const budget = new Budget();
  let out = '';
  for (const entry of entries) {
    if (!entry || !isValidBaggageKey(entry.key) || typeof entry.value !== 'string') continue;
    let wire = entry.key + '=' + percentEncode(entry.value);
    if (entry.metadata) {
      const metadata = normalizeBaggageMetadata(entry.metadata);
      if (metadata === undefined) continue;
      if (metadata.length > 0) wire += ';' + metadata;
    }
    if (!budget.fits(wire)) continue;
    out += out.length === 0 ? wire : ',' + wire;
  }
  return out;
}

/** Reads the `baggage` header(s) of a carrier. */
export function extractBaggage(carrier: Carrier): BaggageEntry[] {
  return parseBaggage(getHeader(carrier, BAGGAGE_HEADER));
}

/**
 * Writes a `baggage` header of exactly these entries; when none survives, removes the carrier's
 * (one copied from the incoming request would still carry the entries the app left out).
 */
export function injectBaggage(entries: readonly BaggageEntry[], carrier: Carrier): void {
  setHeader(carrier, BAGGAGE_HEADER, formatBaggage(entries) || undefined);
}
