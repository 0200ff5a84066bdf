import { guard } from '../diag';

/** Property every wrapper carries so others (the exporter) can reach the native function. */
export const ORIGINAL = '__spanbeam_original';

/** Undoes one patch. */
export type Unpatch = () => void;

/** The innermost original behind our (and others') `__spanbeam_original` markers. */
export function unwrapped<T>(fn: T): T {
  let f = fn as unknown as Record<string, unknown> | undefined;
  while (typeof f === 'function' && f[ORIGINAL]) f = f[ORIGINAL] as Record<string, unknown>;
  return f as unknown as T;
}

/**
 * Replaces `obj[key]` with `make(original)`, on the object of `obj`'s prototype chain that holds
 * it. The wrapper gets a non-enumerable `__spanbeam_original`, keeps the original's `name` and
 * `length`, and the returned function restores the exact previous state. If someone wrapped over
 * us meanwhile, their wrapper stays and ours turns into a pass-through.
 */
export function patch<T extends object, K extends keyof T>(obj: T, key: K, make: (original: T[K]) => T[K]): Unpatch {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  // Where it lives (`history.pushState` is History.prototype's): a wrapper on `obj` itself would be
  // an own property the native object does not have (in `Object.keys`, hiding the inherited one).
  let own: PropertyDescriptor | undefined;
  while (obj && !(own = Object.getOwnPropertyDescriptor(obj, key))) obj = Object.getPrototypeOf(obj);
  const original = own?.value as T[K];
  if (typeof original !== 'function') return () => {};
  let on = true;
  const inner = make(original);
  // A method, as the built-ins we wrap are: `new fetch()` throws, and there is no `prototype`.
  const wrapper = {
    [key as string](...args: unknown[]) {
      return ((on ? inner : original) as (...a: unknown[]) => unknown).apply(this, args);
    },
  }[key as string] as unknown as T[K];
  mark(wrapper, original);
  (obj as Record<PropertyKey, unknown>)[key as PropertyKey] = wrapper;
  return () => {
    on = false;
    guard('wrap.restore_failed', () => {
      if (obj[key] === wrapper) Object.defineProperty(obj, key, own!);
    });
  };
}

/** Wraps an accessor's getter (e.g. `Response.prototype.body`); same restore rules as {@link patch}. */
export function patchGetter<T extends object>(obj: T, key: string, make: (get: () => unknown) => () => unknown): Unpatch {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  if (!d?.get || !d.configurable) return () => {};
  // `patch` on a copy of the descriptor builds the wrapper (and turns it into a pass-through).
  const w = { ...d };
  const off = patch(w, 'get', make as (get: unknown) => () => unknown);
  const wrapper = w.get;
  Object.defineProperty(obj, key, w);
  return () => {
    off();
    guard('wrap.restore_failed', () => {
      if (Object.getOwnPropertyDescriptor(obj, key)?.get === wrapper) Object.defineProperty(obj, key, d);
    });
  };
}

function mark(wrapper: unknown, original: unknown): void {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const o = original as { name: string; length: number };
  for (const [k, v] of [
    [ORIGINAL, original],
    ['name', o.name],
    ['length', o.length],
    // `String(fetch)`, `addEventListener.toString()`: what pages test for "[native code]".
    ['toString', Function.prototype.toString.bind(original)],
  ] as const) {
    try {
      Object.defineProperty(wrapper, k, { value: v, configurable: true });
    } catch {
      /* frozen function: keep going */
    }
  }
}

/** Runs the undo functions in reverse order and empties the list. */
export function unpatchAll(list: Unpatch[]): void {
  while (list.length) guard('wrap.restore_failed', list.pop()!);
}

/**
 * zone.js keeps the native functions under `__zone_symbol__<name>`. Our own listeners and timers
 * use those, so they create no Zone tasks (and trigger no Angular change detection).
 */
export function zoneNative<T>(obj: object, name: string): T {
  const o = obj as Record<string, T>;
  return o['__zone_symbol__' + name] ?? o[name];
}

/** addEventListener without zone.js or our own interaction wrapper in between. */
export function listen(target: EventTarget, type: string, fn: EventListener, capture = true): () => void {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const p = EventTarget.prototype;
  const add = unwrapped(zoneNative<EventTarget['addEventListener']>(p, 'addEventListener'));
  const remove = unwrapped(zoneNative<EventTarget['removeEventListener']>(p, 'removeEventListener'));
  add.call(target, type, fn, { capture, passive: true });
  return () => remove.call(target, type, fn, capture);
}

/**
 * setTimeout outside any Zone. Browsers run a delay past 2^31 − 1 ms (an option of `Infinity`:
 * "never") at once: it waits that long instead (~25 days).
 */
export function later(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  return zoneNative<typeof setTimeout>(globalThis, 'setTimeout').call(globalThis, fn, Math.min(ms, 2 ** 31 - 1));
}

/**
 * Runs `fn` once the page is idle (at most `timeout` ms later), outside any Zone; returns a cancel.
 * Used for work that reads buffered entries and so loses nothing by waiting.
 */
export function whenIdle(fn: () => void, timeout = 1000): () => void {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const g = globalThis as { requestIdleCallback?: (cb: () => void, o: { timeout: number }) => number; cancelIdleCallback?: (id: number) => void };
  const ric = g.requestIdleCallback && zoneNative<NonNullable<typeof g.requestIdleCallback>>(g, 'requestIdleCallback');
  if (ric) {
    const id = ric.call(g, fn, { timeout });
    return () => g.cancelIdleCallback?.(id);
  }
  const t = later(fn, 1);
  return () => clearTimeout(t);
}
