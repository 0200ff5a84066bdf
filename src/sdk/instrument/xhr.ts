import type { HttpOptions, Pending, Route } from './http';
import type { Unpatch } from './wrap';
import { acquireTiming, ended, httpConfig, startRequest, traceHeaders, track } from './http';
import { listen, patch, unpatchAll } from './wrap';
import { getTracer } from '../tracer';
import { guard } from '../diag';

export type XhrOptions = HttpOptions;

interface Info {
  m: string;
  r: Route;
  /** Header names the app set (we never add a second value to them). */
  h: Record<string, 1>;
  p?: Pending;
  /** Removes the request's listeners. */
  o?: () => void;
}

/** The events that end a request, with the error each one stands for. */
const OUTCOME: Record<string, string> = { load: '', error: 'NetworkError', abort: 'AbortError', timeout: 'TimeoutError' };

/**
 * Traces XMLHttpRequest: `open` records method and URL, `send` starts the CLIENT span (and adds
 * trace headers with the native `setRequestHeader`), and the first of load/error/abort/timeout
 * ends it. Synchronous XHR works too: its events fire inside `send`, and a thrown network error is
 * recorded and re-thrown unchanged.
 */
export function instrumentXhr(options: XhrOptions = {}): Unpatch {
  const X = globalThis.XMLHttpRequest;
  if (!X) return () => {};
  const route = httpConfig(options);
  const tracer = getTracer('spanbeam/xhr');
  const info = new WeakMap<XMLHttpRequest, Info>();
  const P = X.prototype;
  const setHeader = P.setRequestHeader;
  const undo: Unpatch[] = [acquireTiming()];
  undo.push(
    patch(P, 'open', (orig) =>
      function (this: XMLHttpRequest, ...a: unknown[]) {
        // open() ends a request in flight without an event (also from its own readystatechange,
        // as polling code does): its span ends here, with the status if the response was in.
        const prev = info.get(this);
        const q = prev?.p?.end === undefined && prev?.p;
        const st = q && this.readyState === 4 && this.status;
        const res = (orig as (...x: unknown[]) => void).apply(this, a);
        guard('xhr.open_failed', () => {
          if (q) prev.o?.(), st ? ((q.st = st), ended(q)) : ended(q, { name: 'AbortError' });
          const r = route(String(a[1]));
          if (r) info.set(this, { m: String(a[0]), r, h: {} });
          else info.delete(this);
        });
        return res;
      } as XMLHttpRequest['open'],
    ),
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
        // A second send() while one is in flight throws natively; leave that call alone.
        if (i && (!i.p || i.p.done) && this.readyState === 1)
          guard('xhr.send_failed', () => {
            const q = (p = i.p = track(startRequest(tracer, i.m, i.r, 'xmlhttprequest')));
            const h = traceHeaders(i.r, q.s);
            for (const k in h) if (!i.h[k]) setHeader.call(this, k, h[k]);
            const offs: Array<() => void> = [];
            const off = (i.o = () => offs.forEach((f) => f()));
            const on = (ev: Event) => {
              off();
              const o = OUTCOME[ev.type];
              if (!o) q.st = this.status;
              ended(q, o ? { name: o } : undefined);
            };
            for (const type in OUTCOME) offs.push(listen(this, type, on, false));
          });
        try {
          return orig.call(this, body);
        } catch (err) {
          if (p) i!.o?.(), ended(p, err);
          throw err;
        }
      },
    ),
  );
  return () => unpatchAll(undo);
}
