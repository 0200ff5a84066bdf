import type { Span } from './types';
import type { ContextManager } from './context';
import { StackContextManager } from './context';
import { DEV, warn } from './diag';

/** The little of zone.js's API we use; zone.js itself is a peer the page loads first. */
export interface ZoneLike {
  readonly name: string;
  readonly parent: ZoneLike | null;
  get(key: string): unknown;
  fork(spec: { name: string; properties: Record<string, unknown> }): ZoneLike;
  run<T>(fn: (...args: unknown[]) => T, applyThis?: unknown, applyArgs?: unknown[]): T;
}
interface ZoneStatic {
  current: ZoneLike;
}

const KEY = 'spanbeam.span';
const NAME = 'spanbeam';

function zoneGlobal(): ZoneStatic | undefined {
  const z = (globalThis as { Zone?: ZoneStatic }).Zone;
  return z && typeof z.current?.fork === 'function' ? z : undefined;
}

/** zone.js's current zone; none without zone.js. */
export const currentZone = (): ZoneLike | undefined => zoneGlobal()?.current;

/**
 * A zone carrying `span`, forked past our own zones (they hold nothing else, no hooks): forking
 * the current one would chain a zone per span in a loop that starts its next step in a timer
 * (polling), and keep every ended span of it alive. None without zone.js.
 */
function forkFor(span: Span | undefined): ZoneLike | undefined {
  let z = currentZone();
  while (z?.name === NAME && z.parent) z = z.parent;
  return z?.fork({ name: NAME, properties: { [KEY]: span } });
}

/**
 * Carries the active span through a zone.js Zone, so it follows timers, promise callbacks,
 * microtasks, animation frames, event listeners and XHR/fetch callbacks. Zone.js cannot see
 * native `async`/`await` continuations (they resume in whatever zone is current): see README.
 * Without zone.js it degrades to the synchronous stack manager and warns once.
 */
export class ZoneContextManager implements ContextManager {
  private _on = false;
  private readonly _fb = new StackContextManager();

  /** True when zone.js is loaded and this manager follows async work. */
  static isSupported(): boolean {
    return zoneGlobal() !== undefined;
  }

  active(): Span | undefined {
    if (!this._on) return undefined;
    const Z = zoneGlobal();
    if (!Z) return this._fb.active();
    return Z.current.get(KEY) as Span | undefined;
  }

  with<A extends unknown[], R>(span: Span | undefined, fn: (...args: A) => R, thisArg?: unknown, ...args: A): R {
    const zone = this._on && forkFor(span);
    return zone ? zone.run(fn as (...a: unknown[]) => R, thisArg, args) : this._fb.with(span, fn, thisArg, ...args);
  }

  bind<F extends (...args: never[]) => unknown>(span: Span | undefined, fn: F): F {
    const zone = this._on && forkFor(span);
    if (!zone) return this._fb.bind(span, fn);
    return function bound(this: unknown, ...args: unknown[]) {
      return zone.run(fn as unknown as (...a: unknown[]) => unknown, this, args);
    } as unknown as F;
  }

  enable(): this {
    if (!zoneGlobal()) warn('zone.missing', DEV ? 'zone.js is not loaded: context will not follow async work' : '');
    this._on = true;
    return this;
  }

  disable(): this {
    this._on = false;
    this._fb.disable();
    return this;
  }
}
