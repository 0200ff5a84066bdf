import type { Span } from './types';

/**
 * Decides which span is "active". The default keeps a synchronous stack (correct inside one
 * call, lost across async hops); the Zone manager (`spanbeam/zone`) follows async work.
 */
export interface ContextManager {
  active(): Span | undefined;
  with<A extends unknown[], R>(span: Span | undefined, fn: (...args: A) => R, thisArg?: unknown, ...args: A): R;
  bind<F extends (...args: never[]) => unknown>(span: Span | undefined, fn: F): F;
  enable(): this;
  disable(): this;
}

/** Synchronous fallback when zone.js is absent: `with` sets the active span for the call's duration. */
export class StackContextManager implements ContextManager {
  private _cur: Span | undefined;

  active(): Span | undefined {
    return this._cur;
  }

  with<A extends unknown[], R>(span: Span | undefined, fn: (...args: A) => R, thisArg?: unknown, ...args: A): R {
    const prev = this._cur;
    this._cur = span;
    try {
      return fn.apply(thisArg, args);
    } finally {
      this._cur = prev;
    }
  }

  bind<F extends (...args: never[]) => unknown>(span: Span | undefined, fn: F): F {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    return function bound(this: unknown, ...args: unknown[]) {
      return manager.with(span, fn as unknown as (...a: unknown[]) => unknown, this, ...args);
    } as unknown as F;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this._cur = undefined;
    return this;
  }
}

let manager: ContextManager = new StackContextManager();

/** Installs a context manager (e.g. `new ZoneContextManager()`); returns the previous one. */
export function setContextManager(next: ContextManager): ContextManager {
  const prev = manager;
  prev.disable();
  manager = next.enable();
  return prev;
}

export function getContextManager(): ContextManager {
  return manager;
}

/** The context API: which span is active, and ways to carry it explicitly across async hops. */
export const context = {
  /** The active span, if any. */
  active(): Span | undefined {
    return manager.active();
  },
  /** Runs `fn` with `span` active and returns its result. */
  with<R>(span: Span | undefined, fn: () => R): R {
    return manager.with(span, fn);
  },
  /**
   * Returns `fn` bound to `span` (default: the span active now), so it runs with that span
   * active wherever it is called later — the explicit fix for native `async`/`await`, which
   * zone.js cannot follow.
   */
  bind<F extends (...args: never[]) => unknown>(fn: F, span: Span | undefined = manager.active()): F {
    return manager.bind(span, fn);
  },
};

/** The active span, if any. */
export function getActiveSpan(): Span | undefined {
  return manager.active();
}
