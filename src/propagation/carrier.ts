import type { Carrier, HeaderRecord, HeadersLike } from './types';

/**
 * Reading and writing headers on any carrier. Lookups are ASCII case-insensitive. Repeated headers
 * (Node arrays, several tuples, `Headers` combining) come back joined with ", " as RFC 9110 §5.3
 * combines them, which is what tracestate and baggage parsing expect and what makes a duplicated
 * traceparent invalid.
 */

function isHeadersLike(carrier: Carrier): carrier is HeadersLike {
  return (
    !Array.isArray(carrier) &&
    typeof (carrier as HeadersLike).get === 'function' &&
    typeof (carrier as HeadersLike).set === 'function'
  );
}

function joinValue(value: HeaderRecord[string]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(', ');
  return String(value);
}

/** The value of header `name` (any case), repeated values joined with ", "; undefined when absent. */
export function getHeader(carrier: Carrier, name: string): string | undefined {
  if (carrier == null || typeof carrier !== 'object') return undefined;
  const lower = name.toLowerCase();
  if (Array.isArray(carrier)) {
    let out: string | undefined;
    for (let i = 0; i < carrier.length; i++) {
      const pair = carrier[i];
      if (pair && typeof pair[0] === 'string' && pair[0].toLowerCase() === lower) {
        const v = String(pair[1]);
        out = out === undefined ? v : out + ', ' + v;
      }
    }
    return out;
  }
  if (isHeadersLike(carrier)) {
    try {
      const v = carrier.get(lower);
      return v === null ? undefined : v;
    } catch {
      return undefined;
    }
  }
  const record = carrier as HeaderRecord;
  // Every key is looked at: `traceparent` and `TraceParent` are two headers (a duplicate that
  // makes traceparent invalid, or two tracestate lines to combine), not one.
  let out: string | undefined;
  for (const key in record) {
    if (key.length !== lower.length || !Object.prototype.hasOwnProperty.call(record, key) || key.toLowerCase() !== lower) continue;
    const v = joinValue(record[key]);
    if (v !== undefined) out = out === undefined ? v : out + ', ' + v;
  }
  return out;
}

/**
 * Sets header `name` to `value`, replacing any value under any casing; `undefined` removes it.
 * Plain objects and tuple arrays get the name in lowercase. Returns false when the carrier refused
 * (immutable `Headers`, frozen object, a `Headers`-like without `delete`) instead of throwing, so
 * callers on the page's fetch path never break it.
 */
export function setHeader(carrier: Carrier, name: string, value: string | undefined): boolean {
  if (carrier == null || typeof carrier !== 'object') return false;
  const lower = name.toLowerCase();
  try {
    if (Array.isArray(carrier)) {
      let written = false;
      for (let i = 0; i < carrier.length; i++) {
        const pair = carrier[i];
        if (pair && typeof pair[0] === 'string' && pair[0].toLowerCase() === lower) {
          if (written || value === undefined) {
            carrier.splice(i, 1);
            i--;
          } else {
            carrier[i] = [lower, value];
            written = true;
          }
        }
      }
      if (!written && value !== undefined) carrier.push([lower, value]);
      return true;
    }
    if (isHeadersLike(carrier)) {
      if (value !== undefined) carrier.set(lower, value);
      else if (typeof carrier.delete === 'function') carrier.delete(lower);
      else return false;
      return true;
    }
    const record = carrier as HeaderRecord;
    for (const key in record) {
      if ((key !== lower || value === undefined) && Object.prototype.hasOwnProperty.call(record, key) && key.toLowerCase() === lower) {
        delete record[key];
      }
    }
    if (value !== undefined) record[lower] = value;
    return true;
  } catch {
    return false;
  }
}

/** Calls `callback` for every header with its lowercase name (values combined as in `getHeader`). */
export function forEachHeader(carrier: Carrier, callback: (name: string, value: string) => void): void {
  if (carrier == null || typeof carrier !== 'object') return;
  if (Array.isArray(carrier)) {
    for (const pair of carrier) {
      if (pair && typeof pair[0] === 'string') callback(pair[0].toLowerCase(), String(pair[1]));
    }
    return;
  }
  if (isHeadersLike(carrier)) {
    if (typeof carrier.forEach !== 'function') return;
    carrier.forEach((value, name) => callback(name.toLowerCase(), value));
    return;
  }
  const record = carrier as HeaderRecord;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const v = joinValue(record[key]);
    if (v !== undefined) callback(key.toLowerCase(), v);
  }
}
