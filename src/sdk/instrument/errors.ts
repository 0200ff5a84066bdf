import type { Attributes } from '../types';
import type { Unpatch } from './wrap';
import { getTracer } from '../tracer';
import { guard } from '../diag';
import { activeOrInteraction } from './activity';
import { unpatchAll } from './wrap';

export interface ErrorsOptions {
  /** At most this many errors are recorded per page (a failing loop must not flood the backend). Default 100. */
  max?: number;
}

function describeError(err: unknown, fallbackMessage?: string): Attributes {
  const e = err as { name?: unknown; message?: unknown; stack?: unknown } | null;
  const attrs: Attributes = {};
  if (e && typeof e === 'object') {
    attrs['exception.type'] = typeof e.name === 'string' ? e.name : 'Error';
    attrs['exception.message'] = String(e.message ?? fallbackMessage ?? '');
    if (typeof e.stack === 'string') attrs['exception.stacktrace'] = e.stack;
  } else {
    attrs['exception.type'] = typeof err;
    attrs['exception.message'] = String(err ?? fallbackMessage);
  }
  return attrs;
}

/**
 * Uncaught errors and unhandled rejections become `exception` events on the active span (or the
 * interaction being dispatched, whose handler threw), else on a short `error` span. We only
 * listen (passively): the page's own `onerror`, error events and console output are unchanged.
 */
export function instrumentErrors(options: ErrorsOptions = {}): Unpatch {
  const tracer = getTracer('spanbeam/errors');
  let left = options.max ?? 100;
  const report = (kind: string, err: unknown, message?: string, extra?: Attributes) =>
    guard('errors.failed', () => {
      if (left-- <= 0) return;
      const attrs = { ...describeError(err, message), ...extra };
      const active = activeOrInteraction();
      if (active && active.isRecording()) {
        active.addEvent('exception', attrs);
        active.setStatus({ code: 2, message: String(attrs['exception.message']) });
        return;
      }
      const s = tracer.startSpan('error', { parent: active, attributes: { 'error.type': String(attrs['exception.type']), 'error.source': kind } });
      s.addEvent('exception', attrs);
      s.setStatus({ code: 2, message: String(attrs['exception.message']) });
      s.end();
    });
  // Through the page's addEventListener (not the native one): zone.js delivers rejections of its
  // ZoneAwarePromise only to `unhandledrejection` listeners it knows.
  const on = (type: string, fn: (e: Event) => void) => {
    window.addEventListener(type, fn);
    return () => window.removeEventListener(type, fn);
  };
  const undo = [
    on(
      'error',
      (e) => {
        // Resource load failures also reach a capturing window listener; those are not exceptions.
        if (!(e instanceof ErrorEvent)) return;
        const extra: Attributes = {};
        if (e.filename) extra['code.filepath'] = e.filename.split(/[?#]/)[0];
        if (e.lineno) extra['code.lineno'] = e.lineno;
        if (e.colno) extra['code.column'] = e.colno;
        report('error', e.error ?? e.message, e.message, extra);
      },
    ),
    on('unhandledrejection', (e) => report('unhandledrejection', (e as PromiseRejectionEvent).reason)),
  ];
  return () => unpatchAll(undo);
}
