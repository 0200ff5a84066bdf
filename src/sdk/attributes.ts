import type { AttributeValue, Attributes } from './types';
import type { SpanLimits } from './limits';

/**
 * Validates and truncates one attribute value: strings, finite-or-not numbers, booleans, and
 * homogeneous arrays of them. Returns undefined for values OTLP cannot carry.
 */
export function sanitizeValue(value: unknown, maxLength: number): AttributeValue | undefined {
  const t = typeof value;
  if (t === 'string' || t === 'number' || t === 'boolean') return truncate(value, maxLength) as AttributeValue;
  return Array.isArray(value) ? sanitizeArray(value, maxLength) : undefined;
}

function truncate(v: unknown, maxLength: number): unknown {
  // Never cut between the halves of a surrogate pair (high surrogates are 0xd800-0xdbff, c >> 10 === 54):
  // a lone surrogate is not valid UTF-8.
  return typeof v === 'string' && v.length > maxLength ? v.slice(0, maxLength - +(v.charCodeAt(maxLength - 1) >> 10 === 54)) : v;
}

function sanitizeArray(values: unknown[], maxLength: number): AttributeValue | undefined {
  let kind: string | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const t = typeof v;
    // OTLP arrays are homogeneous in practice; mixed ones are rejected.
    if ((t !== 'string' && t !== 'number' && t !== 'boolean') || (kind ??= t) !== t) return undefined;
  }
  // Always a copy (the caller may change its array later), with long strings cut.
  return values.map((v) => truncate(v, maxLength)) as AttributeValue;
}

export const ADDED = 0;
export const DROPPED = 1;
export const UNCHANGED_SIZE = 2;

/**
 * Sets `key = value` in a flat [key, value, …] list within the limits. Overwriting a key, or an
 * `undefined` value (a no-op, as in OpenTelemetry), never counts as a drop.
 */
export function putAttribute(list: unknown[], key: string, value: unknown, limits: SpanLimits): number {
  // `__proto__` would set the exported object's prototype instead of a key.
  if (typeof key !== 'string' || key.length === 0 || key === '__proto__') return DROPPED;
  if (value === undefined) return UNCHANGED_SIZE;
  const clean = sanitizeValue(value, limits.attributeValueLengthLimit);
  if (clean === undefined) return DROPPED;
  const n = list.length;
  for (let i = 0; i < n; i += 2) {
    if (list[i] === key) {
      list[i + 1] = clean;
      return UNCHANGED_SIZE;
    }
  }
  if (n >= limits.attributeCountLimit * 2) return DROPPED;
  list.push(key, clean);
  return ADDED;
}

/** A flat [key, value, …] list as an attributes object. */
export function toAttributes(list: unknown[]): Attributes {
  const out: Attributes = {};
  for (let i = 0; i < list.length; i += 2) out[list[i] as string] = list[i + 1] as AttributeValue;
  return out;
}

/** Copies an attributes object within the limits; returns the copy and the dropped count. */
export function copyAttributes(source: Partial<Attributes> | undefined, limits: SpanLimits): [Attributes, number] {
  const list: unknown[] = [];
  let dropped = 0;
  for (const key in source) if (putAttribute(list, key, source[key], limits) === DROPPED) dropped++;
  return [toAttributes(list), dropped];
}
