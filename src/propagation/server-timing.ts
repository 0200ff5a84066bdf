import { isToken } from './token';
import { parseTraceparent } from './traceparent';
import type { RemoteContext } from './types';

/**
 * The server's trace context for the page load, sent as `Server-Timing: traceparent;desc="00-…"`.
 * The browser exposes it as `PerformanceServerTiming` entries on the navigation entry; reading
 * those is the SDK's job, parsing is here so it stays DOM-free.
 */

export interface ServerTimingLike {
  readonly name: string;
  readonly description: string;
}

/** The context from the first valid entry named `traceparent`, if any. */
export function parseServerTimingTraceparent(
  entries: Iterable<ServerTimingLike> | ArrayLike<ServerTimingLike> | null | undefined,
): RemoteContext | undefined {
  if (!entries) return undefined;
  for (const entry of Array.from(entries as ArrayLike<ServerTimingLike>)) {
    if (!entry || typeof entry.name !== 'string' || entry.name.toLowerCase() !== 'traceparent') continue;
    const context = parseTraceparent(entry.description);
    if (context) return context;
  }
  return undefined;
}

/**
 * Parses a raw `Server-Timing` header value (e.g. from a fetch `Response` or in Node) into
 * `{ name, description }` items, handling quoted-string `desc` values and commas inside them.
 */
export function parseServerTimingHeader(value: string | null | undefined): ServerTimingLike[] {
  const out: ServerTimingLike[] = [];
  if (typeof value !== 'string') return out;
  const n = value.length;
  let i = 0;
  while (i < n) {
    // metric name
    while (i < n && (value[i] === ' ' || value[i] === '\t' || value[i] === ',')) i++;
    let j = i;
    while (j < n && value[j] !== ';' && value[j] !== ',') j++;
    const name = value.slice(i, j).trim();
    let description = '';
    let seenDesc = false;
    i = j;
    // parameters
    while (i < n && value[i] === ';') {
      i++;
      let k = i;
      while (k < n && value[k] !== '=' && value[k] !== ';' && value[k] !== ',') k++;
      const param = value.slice(i, k).trim().toLowerCase();
      let paramValue = '';
      i = k;
      if (i < n && value[i] === '=') {
        i++;
        while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
        if (value[i] === '"') {
          i++;
          while (i < n && value[i] !== '"') {
            if (value[i] === '\\' && i + 1 < n) i++;
            paramValue += value[i];
            i++;
          }
          i++; // closing quote
          while (i < n && value[i] !== ';' && value[i] !== ',') i++;
        } else {
          k = i;
          while (k < n && value[k] !== ';' && value[k] !== ',') k++;
          paramValue = value.slice(i, k).trim();
          i = k;
        }
      }
      // The first desc wins, as in the Server Timing spec's parsing.
      if (param === 'desc' && !seenDesc) {
        description = paramValue;
        seenDesc = true;
      }
    }
    if (isToken(name)) out.push({ name, description });
    if (i < n && value[i] === ',') i++;
  }
  return out;
}
