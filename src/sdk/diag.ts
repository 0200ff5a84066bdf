/**
 * The SDK's own failures are counted, never thrown into the page. Warnings carry stable codes
 * and are printed in development builds (or with `debug: true`); production builds strip them.
 */

declare const __SPANBEAM_DEV__: boolean | undefined;
/** Replaced at build time; unbundled sources (tests, Vite dev) count as development. */
export const DEV: boolean = typeof __SPANBEAM_DEV__ === 'boolean' ? __SPANBEAM_DEV__ : true;

const counters: Record<string, number> = Object.create(null);
let debugEnabled = false;

export function setDebug(on: boolean): void {
  debugEnabled = on;
}

/** Counts an SDK-internal event (a drop, a failure) under a stable name. */
export function count(name: string, by = 1): void {
  counters[name] = (counters[name] ?? 0) + by;
}

/** A snapshot of the self-telemetry counters (e.g. `span.ended_twice`, `export.dropped`). */
export function getSelfCounters(): Readonly<Record<string, number>> {
  return { ...counters };
}

export function resetSelfCounters(): void {
  for (const k of Object.keys(counters)) delete counters[k];
}

/** Counts and, in development, warns once per code. */
const warned = new Set<string>();
export function warn(code: string, message: string, detail?: unknown): void {
  count(code);
  if (!(DEV || debugEnabled) || warned.has(code)) return;
  warned.add(code);
  try {
    console.warn(`[spanbeam ${code}] ${message}`, ...(detail === undefined ? [] : [detail]));
  } catch {
    /* console may be absent or patched to throw */
  }
}

/** Counts (and in development reports) an SDK error that was kept from the app. */
export function swallowed(code: string, err: unknown): void {
  warn(code, DEV ? 'internal error (swallowed)' : '', err);
}

/**
 * Reads number options of `o` (plain JS can pass anything): `d`, with a warning
 * (`<scope>.bad_option`), for one that is not a number from 0 (NaN, negative, a string that is no
 * number). A NaN limit dropped everything, a NaN window never closed.
 */
export const numbers =
  <O extends object>(o: O, scope: string) =>
  (k: keyof O & string, d: number): number => {
    const v = o[k] as number | undefined;
    return v === undefined ? d : +v >= 0 ? +v : (warn(scope + '.bad_option', DEV ? `${k}: ${String(v)} is not a number from 0; ${d} is used` : ''), d);
  };

/** Runs SDK code so that nothing it throws reaches the app; failures are counted. */
export function guard<T>(code: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    swallowed(code, err);
    return undefined;
  }
}
