import type { Attributes } from '../types';
import type { Unpatch } from './wrap';
import { getTracer } from '../tracer';
import { guard, numbers } from '../diag';
import { exceptionAttributes, scrubExceptions } from '../span';
import { activeOrInteraction, perHour } from './activity';
import { redactUrls } from './redact';
import { unpatchAll } from './wrap';

interface ZoneRejections {
  __symbol__(name: string): string;
  [key: string]: unknown;
}

export interface ErrorsOptions {
  /** At most this many errors are recorded per page per hour (a failing loop must not flood the backend). Default 100. */
  max?: number;
}

/**
 * Uncaught errors and unhandled rejections become `exception` events on the active span (or the
 * interaction being dispatched, whose handler threw), else on a short `error` span. We only
 * listen (passively): the page's own `onerror`, error events and console output are unchanged.
 */
export function instrumentErrors(options: ErrorsOptions = {}): Unpatch {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const tracer = getTracer('spanbeam/errors');
  // Messages quote URLs (a failed fetch's has the full URL), and stacks name scripts whose query
  // may carry secrets: redacted as `url.full` is, here and in what the app records with
  // `span.recordException` (it stays so after uninstall).
  scrubExceptions(redactUrls);
  const allowed = perHour(numbers(options, 'errors')('max', 100));
  let last = '';
  const report = (kind: string, err: unknown, extra?: Attributes) =>
    guard('errors.failed', () => {
      // Read as recordException reads it (a throwing getter or proxy trap loses nothing), URLs redacted.
      const attrs = exceptionAttributes(err);
      // Then a line per error in its `cause` chain and an AggregateError's `errors`, as Java prints
      // causes (Sentry links them as exceptions): 5 at most, redacted too. A throw keeps what was read.
      const q = [err];
      let t = '';
      const add = (k: string, x: unknown) => q.length < 6 && !q.includes(x) && ((t += `\n${k}: ${x}`), q.push(x));
      try {
        // A plain object reads "[object Object]": named by its keys instead, as Sentry does (not its
        // values, which may be secrets; cut at the attribute length limit like any value). Keys may be
        // URLs (a cache of responses): redacted as any message is. Not an Error whose message says
        // so (`new Error(obj)`): it has no type yet. Keys a proxy will not give keep that text.
        if (attrs['exception.message'] == '[object Object]' && !attrs['exception.type']) attrs['exception.message'] = redactUrls('Object with keys: ' + Object.keys(err as object));
        for (const v of q as { cause?: unknown; errors?: unknown }[])
          if (v && typeof v == 'object') {
            if (v.cause != null) add('Caused by', v.cause);
            if (Array.isArray(v.errors)) v.errors.forEach((x: unknown, j: number) => add(`errors[${j}]`, x));
          }
      } catch {}
      if (t) attrs['exception.stacktrace'] = (attrs['exception.stacktrace'] ?? '') + redactUrls(t);
      // A value of no type of its own (a rejected string, a plain object) is named by `typeof`.
      const type = (attrs['exception.type'] ??= typeof err);
      Object.assign(attrs, extra);
      const active = activeOrInteraction();
      // The same error again with no span to mark (a timer failing in a loop) says nothing new, as
      // Sentry's dedupe holds: not recorded, nor counted against the budget. Within a span it is
      // recorded, or that trace would look fine.
      const key = JSON.stringify(attrs);
      if ((key === last && !active?.isRecording()) || !allowed()) return;
      last = key;
      // A span of its own only when there is no recording one to add the event to.
      const s = active?.isRecording() ? active : tracer.startSpan('error', { parent: active, attributes: { 'error.type': type, 'error.source': kind } });
      s.addEvent('exception', attrs);
      s.setStatus({ code: 2, message: attrs['exception.message'] as string });
      if (s !== active) s.end();
    });
  // One rejection may arrive both through zone.js's hook and an event: report it once. Known by
  // its promise, not its reason: each promise chained onto one failed promise (a cached request's)
  // rejects with the same reason, and is a rejection of its own.
  const seen = new WeakSet<object>();
  const rejected = (reason: unknown, p?: unknown) => {
    if (p) {
      if (seen.has(p as object)) return;
      seen.add(p as object);
    }
    report('unhandledrejection', reason);
  };
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
        // A cross-origin script loaded without CORS: the browser hides everything but this text,
        // so it says nothing and floods (Sentry drops it too). `crossorigin` on the tag reveals it.
        if (!e.filename && e.error == null && e.message == 'Script error.') return;
        const extra: Attributes = {};
        // Redacted first: a path parameter (`;jsessionid=`) or credentials are not cut off with the query.
        if (e.filename) extra['code.file.path'] = redactUrls(e.filename).split(/[?#]/)[0];
        if (e.lineno) extra['code.line.number'] = e.lineno;
        if (e.colno) extra['code.column.number'] = e.colno;
        // `throw null` (or undefined) gives no `error` and the message `Uncaught null`: recorded as a
        // rejection with null is, not as that string.
        report('error', e.error ?? (e.message == 'Uncaught ' + e.error ? e.error : e.message), extra);
      },
    ),
    on('unhandledrejection', (e) => rejected((e as PromiseRejectionEvent).reason, (e as PromiseRejectionEvent).promise)),
  ];
  // zone.js replaces Promise; its unhandled rejections reach a handler on Zone, and not always the
  // page's `unhandledrejection` listeners (zone.js 0.16 logs them instead). Chain onto it.
  const Z = (globalThis as { Zone?: ZoneRejections }).Zone;
  if (Z && typeof Z.__symbol__ === 'function') {
    const key = Z.__symbol__('unhandledPromiseRejectionHandler');
    const prev = Z[key];
    // zone.js hands over either its wrapper error (`.rejection` = the reason, `.promise`) or, when
    // wrapping is disabled (its default), the reason itself, and then raises no event.
    const hook = function (this: unknown, e: { rejection?: unknown; promise?: object }) {
      const p = e && typeof e === 'object' && 'rejection' in e && e.promise;
      rejected(p ? e.rejection : e, p);
      if (typeof prev === 'function') return prev.call(this, e);
    };
    Z[key] = hook;
    undo.push(() => {
      if (Z[key] === hook) Z[key] = prev;
    });
  }
  return () => unpatchAll(undo);
}
