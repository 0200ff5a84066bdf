import { w3cTraceContext } from './w3c';
import type { Propagator } from './types';

/**
 * Which requests get trace headers. Same-origin requests do by default; other URLs only when an
 * allowlist entry matches. Sending headers anywhere else would leak trace ids and turn simple
 * cross-origin requests into CORS-preflighted ones that the server may refuse.
 */

/** An allowlist entry with its own propagators (e.g. B3 for a legacy Zipkin backend). */
export interface PropagationTarget {
  match: string | RegExp;
  propagators: readonly Propagator[];
}

export type PropagateToEntry = string | RegExp | PropagationTarget;

export interface PropagationPolicyOptions {
  /**
   * Allowlist, first match wins:
   * - an origin string (`https://api.example.com`) matches exactly that origin (default ports normalized);
   * - a URL string with a path (`https://api.example.com/v1`) matches that URL and everything below
   *   it, at a path boundary (`/v1`, `/v1/x`, `/v1?q`, not `/v10`);
   * - a RegExp is tested against the full absolute URL (`/.*\/` allows everything, explicitly);
   * - `{ match, propagators }` does the same and picks the propagators; `propagators: []` excludes.
   * Strings that are not absolute http(s) URLs, or that have a wildcard host (no request has
   * one: it would match nothing), are ignored; `isUsableEntry` tells which.
   */
  propagateTo?: readonly PropagateToEntry[];
  /**
   * The document's origin (`self.origin`: a sandboxed document's is `null`, whatever
   * `location.origin` says); relative URLs resolve against it.
   */
  pageOrigin?: string;
  /** Propagators for same-origin URLs and plain entries. Default: W3C Trace Context. */
  propagators?: readonly Propagator[];
}

export interface PropagationPolicy {
  shouldPropagate(url: string | URL): boolean;
  /** The propagators to apply to `url`; empty when it must get no headers. */
  propagatorsFor(url: string | URL): readonly Propagator[];
}

const NONE: readonly Propagator[] = Object.freeze([]);

type Matcher = (url: URL) => boolean;

interface CompiledEntry {
  _matches: Matcher;
  _ps: readonly Propagator[];
}

/** `value` as a URL (relative to `base`) when it is an http(s) one, else undefined. */
export function parseHttpUrl(value: string | URL, base?: string): URL | undefined {
  try {
    const url = typeof value === 'string' ? new URL(value, base) : value;
    return /^https?:$/.test(url.protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

function compileString(entry: string): Matcher | undefined {
  const target = parseHttpUrl(entry);
  if (!target || target.hostname.includes('*')) return undefined;
  const origin = target.origin;
  const isOriginOnly = target.pathname === '/' && target.search === '' && target.hash === '';
  if (isOriginOnly) return (url) => url.origin === origin;
  const prefix = target.href;
  // What may follow the prefix: anything after a boundary, else the end or a boundary (`&` only in a query).
  const next = /[/?#&]$/.test(prefix) ? /^/ : target.search ? /^([/?#&]|$)/ : /^([/?#]|$)/;
  return (url) => url.origin === origin && url.href.startsWith(prefix) && next.test(url.href.slice(prefix.length));
}

function compileMatch(match: unknown): Matcher | undefined {
  if (typeof match === 'string') return compileString(match);
  if (match instanceof RegExp)
    return (url) => {
      match.lastIndex = 0; // global/sticky RegExps keep state between calls
      return match.test(url.href);
    };
  return undefined;
}

function compileEntry(entry: PropagateToEntry, defaults: readonly Propagator[]): CompiledEntry | undefined {
  // `{ match, propagators }` picks its own propagators; strings and RegExps use the defaults.
  const target = entry && typeof entry === 'object' && Array.isArray((entry as PropagationTarget).propagators) ? (entry as PropagationTarget) : undefined;
  const matches = compileMatch(target ? target.match : entry);
  return matches && { _matches: matches, _ps: target ? Object.freeze(target.propagators.slice()) : defaults };
}

/** Whether a policy can use `entry` (see `propagateTo`): configuration checks warn about the rest. */
export const isUsableEntry = (entry: PropagateToEntry): boolean => !!compileEntry(entry, NONE);

export function createPropagationPolicy(options: PropagationPolicyOptions = {}): PropagationPolicy {
  return propagationPolicyWith(options.propagators ?? [w3cTraceContext], options);
}

/**
 * `createPropagationPolicy` with the propagators for same-origin URLs and plain entries given,
 * so a bundle that never uses the full W3C propagator does not carry it.
 */
export function propagationPolicyWith(
  propagators: readonly Propagator[],
  options: PropagationPolicyOptions = {},
): PropagationPolicy {
  const propagatorsFor = propagatorsForWith(propagators, options);
  return {
    propagatorsFor,
    shouldPropagate: (url) => propagatorsFor(url).length > 0,
  };
}

/** The policy's `propagatorsFor` alone (what the fetch and XHR instrumentations use). */
export function propagatorsForWith(
  propagators: readonly Propagator[],
  options: PropagationPolicyOptions,
): PropagationPolicy['propagatorsFor'] {
  const defaults: readonly Propagator[] = Object.freeze(propagators.slice());
  const pageOrigin = options.pageOrigin ? parseHttpUrl(options.pageOrigin)?.origin : undefined;
  const entries: CompiledEntry[] = [];
  for (const entry of options.propagateTo ?? []) {
    const compiled = compileEntry(entry, defaults);
    if (compiled) entries.push(compiled);
  }
  return (input) => {
    const url = parseHttpUrl(input, pageOrigin);
    if (!url) return NONE;
    for (const entry of entries) if (entry._matches(url)) return entry._ps;
    return pageOrigin !== undefined && url.origin === pageOrigin ? defaults : NONE;
  };
}
