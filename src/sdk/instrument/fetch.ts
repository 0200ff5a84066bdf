import type { HttpOptions, Pending } from './http';
import type { Unpatch } from './wrap';
import { acquireTiming, ended, httpConfig, startRequest, traceHeaders, track } from './http';
import { patch, patchGetter, unpatchAll, whenIdle, zoneNative } from './wrap';
import { getTracer } from '../tracer';
import { guard, swallowed } from '../diag';

export type FetchOptions = HttpOptions;

type AnyFn = (...args: unknown[]) => unknown;
type Settle = (v: unknown) => unknown;

/** A `Request`, also one from another realm (an iframe's), where `instanceof` fails. */
const isRequest = (x: unknown): x is Request => Object.prototype.toString.call(x) === '[object Request]';

/**
 * The promise the page gets in place of `r` (fetch's, or a read of one of our bodies): it settles
 * as `r` does, right after `ok` saw its value (a rejection ends the request's span). Observing `r`
 * itself would mark it handled, and a rejection the page does not catch must still be an
 * `unhandledrejection`. zone.js's `then` would make it a ZoneAwarePromise, whose rejections
 * zone.js logs instead: the native `then` keeps it a promise of the original's kind.
 */
const follow = <T>(r: Promise<T>, p: Pending, ok: (v: T) => unknown): Promise<T> =>
  zoneNative<typeof r.then>(r, 'then').call(
    r,
    (v) => (ok(v), v),
    (e) => {
      ended(p, e);
      throw e;
    },
  ) as Promise<T>;

/**
 * The call's arguments with trace headers added, or undefined when it must get none (`no-cors`).
 * The mode is read first: building a `Request` from the app's one uses its body, so that is done
 * only when headers are added. A URL with no init or a plain-object init gets a shallow copy of
 * the init with copied headers (no `Request` built per call); a `Request`, or an init of another
 * kind (getters, a `Request`), goes through `new Request(input, init)` — fetch's own first step;
 * if either throws, the native call rejects the same way. Headers the app set are never replaced.
 */
function withHeaders(input: unknown, init: RequestInit | undefined, h: Record<string, string>): unknown[] | undefined {
  const isReq = isRequest(input);
  if (((init && init.mode) || (isReq && input.mode)) === 'no-cors') return;
  const req = isReq || (init && Object.getPrototypeOf(init) !== Object.prototype) ? new Request(input as RequestInfo, init) : undefined;
  const given = (req ?? init)?.headers;
  const headers = req ? req.headers : given === undefined ? h : new Headers(given);
  if (headers instanceof Headers) for (const k in h) if (!headers.has(k)) headers.set(k, h[k]);
  return req ? [req] : [input, { ...init, headers }];
}

/**
 * Traces `fetch()` with a CLIENT span per call. Semantics are kept exactly:
 * - with trace headers to add, only copies get them (see `withHeaders`): the app's `Request`,
 *   `init` and `Headers` objects are never touched; otherwise the arguments pass as given;
 * - the page gets a promise that settles as the native one does, right after it (same result,
 *   same rejection, unhandled when the page does not handle it);
 * - bodies are never read, cloned or teed. The end of the body is observed where the page consumes
 *   it: `Response.prototype.{text,json,…}`, and for streams `getReader()`'s reader (`read` done,
 *   `cancel`) and `pipeTo`. These prototype methods are wrapped once (at the first traced request,
 *   or when the page is first idle); a WeakMap from our responses
 *   (and their streams and readers) to the span makes them cost one lookup for everyone else, and
 *   `response instanceof Response`, `response.body === response.body` stay as they were.
 *   The span itself ends at the Resource Timing entry's `responseEnd` when one comes (see http.ts).
 * Before the native call runs only what the request needs (the URL's cached route, the span for
 * the header's ids); the rest follows the call, and on the response and at the end of the body we
 * only take note: the span is ended later, off the page's path.
 */
export function instrumentFetch(options: FetchOptions = {}): Unpatch {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const g = globalThis as { fetch?: typeof fetch };
  if (typeof g.fetch !== 'function') return () => {};
  const route = httpConfig(options);
  const tracer = getTracer('spanbeam/fetch');
  const bodies = new WeakMap<object, Pending>();
  const undo: Unpatch[] = [acquireTiming()];
  // Read when the body hooks go in (before ours replaces it): touching `Response.prototype` makes
  // the browser set up its interface, ~0.1 ms start() need not spend.
  let nativeBody: (() => ReadableStream | null) | undefined;

  // Calls the original, and when `this` is one of our bodies, notes when the promise settles. The
  // page gets the promise that follows it (see `follow`): a rejection it does not catch (a read of
  // an aborted body, `text()` of a locked one, `cancel()` of a locked stream, a failed `pipeTo`)
  // stays an `unhandledrejection`, as without the SDK. A response's first read only: a second one
  // rejects at once (body used), which says nothing about the request. Reads after the span ended
  // follow too (`ended` ignores them): a check here would cost more than it saves.
  const hook = (settle: Settle, once?: 1) => (orig: AnyFn) =>
    function (this: object, ...a: unknown[]) {
      let r = orig.apply(this, a) as Promise<unknown>;
      const p = bodies.get(this);
      if (p) r = follow(r, p, (v) => settle(v) && ended(p));
      if (once) bodies.delete(this);
      return r;
    };
  const always = hook(() => 1);
  // The same span for what comes from our bodies: a response's stream, a stream's reader.
  const linked = (orig: AnyFn) =>
    function (this: object, ...a: unknown[]) {
      const to = orig.apply(this, a) as object;
      const p = bodies.get(this);
      if (to && p) bodies.set(to, p);
      return to;
    };
  // The body hooks are installed on the first traced request or when the page is first idle,
  // whichever comes first: no body of ours can exist before then, so the page's built-ins stay
  // as they are until there is something to observe.
  let hooked = false;
  const hookBodies = () => {
    if (hooked) return;
    hooked = true;
    nativeBody = Object.getOwnPropertyDescriptor(Response.prototype, 'body')?.get;
    const G = globalThis as unknown as Record<string, { prototype: Record<string, AnyFn> } | undefined>;
    const hooks: Array<[string, string, (orig: AnyFn) => AnyFn]> = [
      ['Response', 'arrayBuffer blob bytes formData json text', hook(() => 1, 1)],
      ['ReadableStreamDefaultReader ReadableStreamBYOBReader', 'read', hook((v) => (v as { done?: boolean })?.done)],
      ['ReadableStreamDefaultReader ReadableStreamBYOBReader ReadableStream', 'cancel', always],
      ['ReadableStream', 'pipeTo', always],
      ['ReadableStream', 'getReader', linked],
    ];
    for (const [cs, ms, make] of hooks)
      for (const c of cs.split(' '))
        for (const m of ms.split(' ')) {
          const o = G[c]?.prototype;
          if (o) undo.push(patch(o, m, make));
        }
    undo.push(patchGetter(Response.prototype, 'body', linked));
  };
  undo.push(whenIdle(() => guard('fetch.hooks_failed', hookBodies), 1000));

  undo.push(
    patch(g as { fetch: typeof fetch }, 'fetch', (orig) =>
      function (this: unknown, ...args: unknown[]) {
        let p: Pending | undefined;
        try {
          const input = args[0];
          const init = args[1] as RequestInit | undefined;
          const isReq = isRequest(input);
          // `fetch()` must reject as native (1 argument required): traced, it would get
          // `[undefined, init]` and request `/undefined`. A `this` other than the global (or none)
          // rejects natively ("Illegal invocation") before the Request's body is read: untraced, so
          // nothing copies it first. (Another window as `this` works natively, just untraced.)
          const r = args.length && (this == null || this === g) && route(isReq ? input.url : String(input));
          if (r) {
            p = startRequest(tracer, (init && init.method) || (isReq ? input.method : 'GET'), r, 'fetch');
            const h = traceHeaders(r, p.s);
            if (h) args = withHeaders(input, init, h) ?? args;
          }
        } catch (err) {
          swallowed('fetch.start_failed', err);
        }
        // A synchronous throw (another library's fetch) goes to the caller as is; its span is never ended or sent.
        let res = (orig as AnyFn).apply(this, args) as Promise<Response>;
        if (p)
          try {
            track(p);
            res = follow(res, p, (res) => {
              try {
                p.st = res.status;
                // With no body to read, or its entry already in, the network is done. This runs
                // before the page gets the response, so no read of its body is missed.
                const b = p.e ? 0 : nativeBody!.call(res);
                if (!b) ended(p);
                else bodies.set(res, p).set(b, p);
              } catch {
                ended(p); // not a Response (another library's fetch)
              }
            });
            hookBodies();
          } catch (err) {
            swallowed('fetch.then_failed', err); // not a promise
          }
        return res;
      } as typeof fetch,
    ),
  );
  return () => {
    hooked = true; // a response that comes later installs nothing
    unpatchAll(undo);
  };
}
