import type { HttpOptions, Pending } from './http';
import type { Unpatch } from './wrap';
import { acquireTiming, bodyDone, failed, httpConfig, responded, startHttpSpan, traceHeaders, track } from './http';
import { patch, patchGetter, unpatchAll } from './wrap';
import { guard } from '../diag';

export type FetchOptions = HttpOptions;

type AnyFn = (...args: unknown[]) => unknown;
type Settle = (v: unknown) => boolean;
const always: Settle = () => true;

/**
 * Traces `fetch()` with a CLIENT span per call. Semantics are kept exactly:
 * - with trace headers to add, the call becomes `fetch(new Request(input, init))` — what `fetch`
 *   itself does first per the Fetch spec — and only the copy's headers change, so the app's
 *   `Request`, `init` and `Headers` objects are never touched; otherwise the arguments pass as given;
 * - the native promise is returned as is (same `this`, same result, same rejection);
 * - bodies are never read, cloned or teed. The end of the body is observed where the page consumes
 *   it: `Response.prototype.{text,json,…}`, and for streams `getReader()`'s reader (`read` done,
 *   `cancel`) and `pipeTo`. These prototype methods are wrapped once; a WeakMap from our responses
 *   (and their streams and readers) to the span makes them cost one lookup for everyone else, and
 *   `response instanceof Response`, `response.body === response.body` stay as they were.
 *   The span itself ends at the Resource Timing entry's `responseEnd` when one comes (see http.ts).
 */
export function instrumentFetch(options: FetchOptions = {}): Unpatch {
  const g = globalThis as { fetch?: typeof fetch };
  if (typeof g.fetch !== 'function' || typeof Response === 'undefined') return () => {};
  const cfg = httpConfig(options);
  const bodies = new WeakMap<object, Pending>();
  const undo: Unpatch[] = [acquireTiming()];
  const nativeBody = Object.getOwnPropertyDescriptor(Response.prototype, 'body')?.get;

  // Calls the original, and when `this` is one of our bodies, ends the span once the promise settles.
  const hook = (orig: AnyFn, settle: Settle) =>
    function (this: object, ...a: unknown[]) {
      const r = orig.apply(this, a) as Promise<unknown>;
      const p = bodies.get(this);
      if (p) void r.then((v) => settle(v) && bodyDone(p), (e) => bodyDone(p, e));
      return r;
    };
  const proto = (o: { prototype: object } | undefined) => o?.prototype as Record<string, AnyFn> | undefined;
  const hooks: Array<[Record<string, AnyFn> | undefined, string, Settle]> = [
    ...['arrayBuffer', 'blob', 'bytes', 'formData', 'json', 'text'].map((m) => [proto(Response), m, always] as [Record<string, AnyFn>, string, Settle]),
    [proto(globalThis.ReadableStreamDefaultReader), 'read', (v) => (v as { done?: boolean })?.done === true],
    [proto(globalThis.ReadableStreamBYOBReader), 'read', (v) => (v as { done?: boolean })?.done === true],
    [proto(globalThis.ReadableStreamDefaultReader), 'cancel', always],
    [proto(globalThis.ReadableStreamBYOBReader), 'cancel', always],
    [proto(globalThis.ReadableStream), 'cancel', always],
    [proto(globalThis.ReadableStream), 'pipeTo', always],
  ];
  for (const [o, m, settle] of hooks) if (o && typeof o[m] === 'function') undo.push(patch(o, m, (orig) => hook(orig, settle)));
  // A stream's reader belongs to the same span as the stream.
  const rs = proto(globalThis.ReadableStream);
  if (rs)
    undo.push(
      patch(rs, 'getReader', (orig) =>
        function (this: object, ...a: unknown[]) {
          const reader = orig.apply(this, a) as object;
          const p = bodies.get(this);
          if (p) bodies.set(reader, p);
          return reader;
        },
      ),
    );
  undo.push(
    patchGetter(Response.prototype, 'body', (get) =>
      function (this: object) {
        const b = get.call(this) as object | null;
        const p = bodies.get(this);
        if (p && b) bodies.set(b, p);
        return b;
      },
    ),
  );

  undo.push(
    patch(g as { fetch: typeof fetch }, 'fetch', (orig) =>
      function (this: unknown, ...args: unknown[]) {
        let p: Pending | undefined;
        guard('fetch.start_failed', () => {
          const input = args[0];
          const init = args[1] as RequestInit | undefined;
          const isReq = input instanceof Request;
          const url = new URL(isReq ? input.url : String(input), document.baseURI).href;
          if (!/^https?:/.test(url) || cfg.ignored(url)) return;
          const startHr = performance.now();
          const span = startHttpSpan((init && init.method) || (isReq ? input.method : 'GET'), url, 'spanbeam/fetch');
          p = track(span, url, 'fetch', startHr);
          const h = traceHeaders(cfg, span, url);
          let req: Request | undefined;
          for (const k in h) {
            // Same as fetch's own first step; if it throws, the native call below rejects the same way.
            req ??= new Request(input as RequestInfo, init);
            if (req.mode === 'no-cors') return;
            if (!req.headers.has(k)) req.headers.set(k, h[k]);
          }
          if (req) args = [req];
        });
        let res: Promise<Response>;
        try {
          res = (orig as AnyFn).apply(this, args) as Promise<Response>;
        } catch (err) {
          if (p) failed(p, err);
          throw err;
        }
        const q = p;
        if (q)
          guard('fetch.then_failed', () =>
            res.then(
              (r) =>
                guard('fetch.response_failed', () => {
                  responded(q, r.status);
                  if (nativeBody?.call(r)) bodies.set(r, q);
                  else bodyDone(q);
                }),
              (err) => failed(q, err),
            ),
          );
        return res;
      } as typeof fetch,
    ),
  );
  return () => unpatchAll(undo);
}
