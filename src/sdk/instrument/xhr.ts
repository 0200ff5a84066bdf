import type { HttpOptions, Pending } from './http';
import type { Unpatch } from './wrap';
import { acquireTiming, bodyDone, failed, httpConfig, responded, startHttpSpan, traceHeaders, track } from './http';
import { listen, patch, unpatchAll } from './wrap';
import { guard } from '../diag';

export type XhrOptions = HttpOptions;

interface Info {
  m: string;
  /** Parsed once at open: the span and the propagation policy read it. */
  u: URL;
  /** Header names the app set (we never add a second value to them). */
  h: Record<string, 1>;
  p?: Pending;
}

const OUTCOME: Record<string, string> = { error: 'NetworkError', abort: 'AbortError', timeout: 'TimeoutError' };

/**
 * Traces XMLHttpRequest: `open` records method and URL, `send` starts the CLIENT span (and adds
 * trace headers with the native `setRequestHeader`), and the first of load/error/abort/timeout
 * ends it. Synchronous XHR works too: its events fire inside `send`, and a thrown network error is
 * recorded and re-thrown unchanged.
 */
export function instrumentXhr(options: XhrOptions = {}): Unpatch {
  const X = globalThis.XMLHttpRequest;
  if (!X) return () => {};
  const cfg = httpConfig(options);
  const info = new WeakMap<XMLHttpRequest, Info>();
  const P = X.prototype;
  const setHeader = P.setRequestHeader;
  const undo: Unpatch[] = [acquireTiming()];
  undo.push(
    patch(P, 'open', (orig) =>
      function (this: XMLHttpRequest, ...a: unknown[]) {
        const r = (orig as (...x: unknown[]) => void).apply(this, a);
        guard('xhr.open_failed', () => {
          const u = new URL(String(a[1]), document.baseURI);
          if (/^https?:$/.test(u.protocol) && !cfg.ignored(u.href)) info.set(this, { m: String(a[0]), u, h: {} });
          else info.delete(this);
        });
        return r;
      } as XMLHttpRequest['open'],
    ),
    patch(P, 'setRequestHeader', (orig) =>
      function (this: XMLHttpRequest, name: string, value: string) {
        orig.call(this, name, value);
        const i = info.get(this);
        if (i) i.h[String(name).toLowerCase()] = 1;
      },
    ),
    patch(P, 'send', (orig) =>
      function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
        const i = info.get(this);
        let p: Pending | undefined;
        // A second send() while one is in flight throws natively; leave that call alone.
        if (i && (!i.p || i.p.done) && this.readyState === 1)
          guard('xhr.send_failed', () => {
            const span = startHttpSpan(i.m, i.u, 'spanbeam/xhr');
            const q = (p = i.p = track(span, i.u.href, 'xmlhttprequest', performance.now()));
            const h = traceHeaders(cfg, span, i.u);
            for (const k in h) if (!i.h[k]) setHeader.call(this, k, h[k]);
            const offs: Array<() => void> = [];
            const on = (ev: Event) => {
              for (const off of offs) off();
              if (ev.type === 'load') {
                responded(q, this.status);
                bodyDone(q);
              } else failed(q, { name: OUTCOME[ev.type] });
            };
            for (const t of ['load', 'error', 'abort', 'timeout']) offs.push(listen(this, t, on, false));
          });
        try {
          return orig.call(this, body);
        } catch (err) {
          if (p && !p.done) failed(p, err);
          throw err;
        }
      },
    ),
  );
  return () => unpatchAll(undo);
}
