import type { HttpOptions, Pending, Route } from './http';
import type { Unpatch } from './wrap';
import { acquireTiming, ended, httpConfig, startRequest, traceHeaders, track } from './http';
import { listen, patch, unpatchAll } from './wrap';
import { getTracer } from '../tracer';
import { guard } from '../diag';

export type XhrOptions = HttpOptions;

interface Info {
  m: unknown;
  /** 0: not traced. */
  r: Route | 0;
  /** Header names the app set (we never add a second value to them). */
  h: Record<string, 1>;
  p?: Pending;
  /** Ends the span as the event of that type does (a number: the response's status), and removes the request's listeners. */
  o?: (type: string | number) => void;
}

/**
 * The events that end a request, with the error each one stands for (none: the status tells).
 * `loadend` too: it still comes when the app stopped the others' propagation.
 */
const OUTCOME: Record<string, string> = { load: '', error: 'NetworkError', abort: 'AbortError', timeout: 'TimeoutError', loadend: '' };

/**
 * Traces XMLHttpRequest: `open` records method and URL, `send` starts the CLIENT span (and adds
 * trace headers with the native `setRequestHeader`), and the first of load/error/abort/timeout
 * ends it. Synchronous XHR works too: its events fire inside `send`, and a thrown network error is
 * recorded and re-thrown unchanged.
 */
export function instrumentXhr(options: XhrOptions = {}): Unpatch {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const X = globalThis.XMLHttpRequest;
  if (!X) return () => {};
  const route = httpConfig(options);
  const tracer = getTracer('spanbeam/xhr');
  const info = new WeakMap<XMLHttpRequest, Info>();
  const P = X.prototype;
  const setHeader = P.setRequestHeader;
  const undo: Unpatch[] = [acquireTiming()];
  for (const k of ['open', 'abort'] as const)
    undo.push(
      patch(P, k, (orig) =>
        function (this: XMLHttpRequest, ...a: unknown[]) {
          const i = info.get(this);
          let t: string | number | undefined;
          // open() and abort() end a request in flight without an event; also from the app's own
          // handler of its last event, which runs before ours (reuse, retries): its span ends as
          // the response (its status, read before the native call resets it) or that event ended
          // it. Done without a status in a readystatechange handler: an error (or timeout) came.
          // (`event` is read only for a traced request: never in a worker, which has no such global.)
          if (i?.o && i.p!._end === undefined) {
            const e = event;
            const done = this.readyState > 3;
            t = (done && this.status) || (e?.target == this && e.type in OUTCOME ? e.type : done ? 'error' : 'abort');
            // abort() ends it before its own events; open() once it succeeded (one that throws
            // leaves the request running).
            if (k == 'abort') i.o(t);
          }
          const res = (orig as (...x: unknown[]) => void).apply(this, a);
          if (k == 'open') {
            if (t) i!.o!(t);
            guard('xhr.open_failed', () => info.set(this, { m: a[0], r: route(String(a[1])), h: {} }));
          }
          return res;
        } as XMLHttpRequest['open'],
      ),
    );
  undo.push(
    patch(P, 'setRequestHeader', (orig) =>
      function (this: XMLHttpRequest, ...a: [string, string]) {
        // As given: too few arguments throw natively.
        orig.apply(this, a);
        const i = info.get(this);
        if (i) i.h[String(a[0]).toLowerCase()] = 1;
      },
    ),
    patch(P, 'send', (orig) =>
      function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
        const i = info.get(this);
        let p: Pending | undefined;
        // Once per open(): a second send() throws natively; leave that call alone.
        if (i?.r && !i.p)
          guard('xhr.send_failed', () => {
            const r = i.r as Route;
            const q = (p = i.p = track(startRequest(tracer, i.m, r, 'xmlhttprequest')));
            const offs: Array<() => void> = [];
            const on = (i.o = (t) => {
              offs.forEach((f) => f());
              const o = OUTCOME[t];
              // No status at loadend: the app stopped an error event.
              ended(q, o ? { name: o } : (q.st = +t || this.status) ? void 0 : { name: 'NetworkError' });
            });
            const h = traceHeaders(r, q.s);
            for (const k in h) if (!i.h[k]) setHeader.call(this, k, h[k]);
            // Only while it is done: after a re-open from a readystatechange handler, the error,
            // timeout or abort event of the request before still comes.
            for (const type in OUTCOME) offs.push(listen(this, type, (ev) => this.readyState > 3 && on(ev.type)));
          });
        try {
          return orig.call(this, body);
        } catch (err) {
          // A synchronous request that failed (a NetworkError): no events come. (`o` came with `p`.)
          if (p) i!.o!('error');
          throw err;
        }
      },
    ),
  );
  return () => unpatchAll(undo);
}
