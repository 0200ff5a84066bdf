/**
 * `start()`: tracing, context, export and every instrumentation in one call.
 */
import type { Attributes, ReadableSpan, SpanProcessor } from './sdk/types';
import type { Sampler } from './sdk/sampler';
import type { SessionOptions } from './sdk/session';
import type { Tracer } from './sdk/tracer';
import type { PropagateToEntry } from './propagation';
import type { ExporterOptions, Exporter } from './export';
import type { ErrorsOptions, InteractionOptions, LongTasksOptions, PageLoadOptions, Unpatch, WebVitalsOptions } from './sdk/instrument';
import { configureTracing, getTracerProvider } from './sdk/provider';
import { parentBasedSampler, traceIdRatioSampler } from './sdk/sampler';
import { getTracer } from './sdk/tracer';
import { setContextManager } from './sdk/context';
import { ZoneContextManager } from './sdk/zone-context';
import { DEV, guard, setDebug, warn } from './sdk/diag';
import { createOtlpExporter } from './export';
import {
  instrumentErrors,
  instrumentFetch,
  instrumentInteractions,
  instrumentLongTasks,
  instrumentNavigation,
  instrumentPageLoad,
  instrumentWebVitals,
  instrumentXhr,
} from './sdk/instrument';
import { listen, whenIdle } from './sdk/instrument/wrap';
import { isUsableEntry } from './propagation/policy';

type Toggle<O> = boolean | O;

export interface Instrumentations {
  /** fetch() CLIENT spans. Default on. */
  fetch?: Toggle<object>;
  /** XMLHttpRequest CLIENT spans. Default on. */
  xhr?: Toggle<object>;
  /** documentLoad / documentFetch / resourceFetch spans. Default on. */
  documentLoad?: Toggle<PageLoadOptions>;
  /** LCP, CLS, INP, FCP, TTFB. Default on. */
  webVitals?: Toggle<WebVitalsOptions>;
  /** One span per click/dblclick/submit/change/keydown(Enter, Space). Default on. */
  interactions?: Toggle<InteractionOptions>;
  /** SPA navigation spans. Default on. */
  navigation?: boolean;
  /** Uncaught errors and unhandled rejections. Default on. */
  errors?: Toggle<ErrorsOptions>;
  /** Long animation frames (or long tasks). Default on. */
  longTasks?: Toggle<LongTasksOptions>;
}

export interface StartOptions {
  serviceName?: string;
  serviceVersion?: string;
  /** `deployment.environment.name`. */
  environment?: string;
  /** Extra resource attributes. */
  attributes?: Attributes;
  /** OTLP/HTTP traces URL (`https://collector.example.com/v1/traces`). Without it nothing is exported (add `processors`). */
  endpoint?: string;
  /** Headers for export requests (beacons cannot carry them). */
  headers?: Record<string, string>;
  /** More exporter options (batching, outbox, retries …). */
  exporter?: Partial<ExporterOptions>;
  /** Cross-origin URLs that get trace headers (origins, URL prefixes, RegExps). Same-origin always do. Default: none. */
  propagateTo?: readonly PropagateToEntry[];
  /** Share of new traces recorded, 0–1 (parent-based; remote parents decide for themselves). Default 1; another value warns and records every trace. */
  sampleRate?: number;
  /** A custom head sampler (wins over `sampleRate`). */
  sampler?: Sampler;
  session?: SessionOptions | false;
  /** Which instrumentations run; each `true`/`false` or its options. All on by default. */
  instrumentations?: Instrumentations;
  /** Requests never traced (substring or RegExp on the absolute URL); the export endpoint is always added. */
  ignoreUrls?: readonly (string | RegExp)[];
  /** Extra span processors (e.g. `onSpanEnd(cb)` or an in-memory exporter for tests). */
  processors?: SpanProcessor[];
  /** Use zone.js for context when it is loaded. Default true. */
  zone?: boolean;
  /** Print development warnings. */
  debug?: boolean;
}

export interface SpanbeamHandle {
  readonly tracer: Tracer;
  /** The OTLP exporter, when `endpoint` was given. */
  readonly exporter: Exporter | undefined;
  /** Sends what has ended so far. */
  flush(): Promise<void>;
  /** Removes every instrumentation (originals restored); tracing and export keep working. */
  uninstall(): void;
  /** Uninstalls, flushes and stops export; `start()` may be called again afterwards. */
  shutdown(): Promise<void>;
}

// The running SDK's handle, on the global: a second copy on the page (the script tag twice, or
// the tag and an app bundle) must not patch fetch, XHR and listeners again.
const g = globalThis as { [K: symbol]: SpanbeamHandle | undefined };
const KEY = Symbol.for('spanbeam');

/** The handle of the SDK running on the page, from this copy or another. */
export const running = (): SpanbeamHandle | undefined => g[KEY];

/**
 * Starts tracing the page. Only what must see the page's next steps runs now: error listeners and
 * the fetch, XHR, history and `addEventListener` patches. Observers of buffered entries (web
 * vitals, long frames) and the exporter (outbox, IndexedDB, delivery of what earlier pages left)
 * lose nothing by waiting and start when the page is first idle (within half a second); spans
 * that end before then are handed to the exporter when it is made. Calling it again (also from
 * another copy of the SDK on the page) warns and returns the first handle.
 */
export function start(o: StartOptions = {}): SpanbeamHandle {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  // Server-side rendering evaluates the app's start() in Node: there is no page to trace, and
  // going on would patch the server's fetch, export its requests as the page's, and keep the
  // process alive retrying. getTracer() still works there.
  if (typeof document !== 'object') {
    warn('start.no_document', DEV ? 'start() traces a page: without a document (server-side rendering) it does nothing' : '');
    const done = async () => {};
    return { tracer: getTracer(), exporter: undefined, flush: done, uninstall() {}, shutdown: done };
  }
  const current = g[KEY];
  if (current) {
    warn('start.twice', DEV ? 'start() was already called (maybe by another copy of Spanbeam); returning the existing handle' : '');
    return current;
  }
  // As the script tag's attribute: a rate that is not a number from 0 to 1 (NaN, negative, a string
  // from plain JS) records every trace, with a warning, rather than be ignored unsaid.
  const rate = o.sampleRate ?? 1;
  const ok = typeof rate == 'number' && rate >= 0 && rate <= 1;
  if (!ok) warn('start.bad_sample_rate', DEV ? `sampleRate: ${String(rate)} is not a number from 0 to 1; every trace is recorded` : '');
  configureTracing({
    ...o,
    // Always one: started again after shutdown(), the earlier start's rate stayed.
    sampler: o.sampler ?? parentBasedSampler(traceIdRatioSampler(ok ? rate : 1)),
  });
  if (o.zone !== false && ZoneContextManager.isSupported()) setContextManager(new ZoneContextManager());

  const endpoint = o.endpoint;
  const ignoreUrls = endpoint ? [...(o.ignoreUrls ?? []), endpoint] : o.ignoreUrls;
  const i = o.instrumentations ?? {};
  const undo: Unpatch[] = [];
  const idle: Array<() => void> = [];
  const install = <O extends object>(name: keyof Instrumentations, fn: (x: O) => Unpatch, later?: 0 | 1, base?: object) => {
    const v = i[name] as Toggle<O> | undefined;
    // `true` spreads to nothing: the defaults.
    const run = () => guard(`start.${name}_failed`, () => undo.push(fn({ ...base, ...(v as O) })));
    if (v !== false) (later ? idle.push(run) : run());
  };
  // Errors first (they see failures in the rest); interactions before the app adds listeners.
  install('errors', instrumentErrors);
  install('interactions', instrumentInteractions);
  install('fetch', instrumentFetch, 0, { propagateTo: o.propagateTo, ignoreUrls });
  install('xhr', instrumentXhr, 0, { propagateTo: o.propagateTo, ignoreUrls });
  install('navigation', instrumentNavigation);
  install('documentLoad', instrumentPageLoad, 0, { ignoreUrls });
  install('webVitals', instrumentWebVitals, 1);
  install('longTasks', instrumentLongTasks, 1);

  // Processors after the instrumentations: their page-hide listeners then run after ours, which end spans first.
  const provider = getTracerProvider();
  const removers = (o.processors ?? []).map((p) => provider.addSpanProcessor(p));
  let exporter: Exporter | undefined;
  let early: ReadableSpan[] | undefined;
  let offs: Array<() => void> = [];
  const exp = (): Exporter | undefined => {
    const spans = early;
    if (spans) {
      early = undefined;
      for (const off of offs) off();
      exporter = guard('start.exporter_failed', () => createOtlpExporter({ headers: o.headers, ...o.exporter, endpoint: endpoint! }));
      for (const s of spans) exporter?.onEnd(s);
    }
    return exporter;
  };
  if (endpoint) {
    early = [];
    removers.push(
      provider.addSpanProcessor({
        onStart() {},
        onEnd: (s) => void (early ? early.push(s) < 512 || exp() : exporter?.onEnd(s)),
        forceFlush: async () => exp()?.forceFlush(),
        shutdown: async () => exporter?.shutdown(),
      }),
    );
    // A page that hides first gets its exporter then. `visibilitychange` is seen here on window,
    // capturing, before the exporter's own listener on document runs in the same dispatch; a
    // page unloading while visible fires `pagehide`, then `visibilitychange` (hidden). (A document
    // exists: start() returned above without one.)
    if (document.visibilityState === 'hidden') exp();
    else offs = [listen(window, 'visibilitychange', exp), listen(window, 'pagehide', exp)];
  }
  const cancel = whenIdle(() => {
    for (const f of idle.splice(0)) f();
    exp();
  }, 500);

  const uninstall = () => {
    idle.length = 0;
    while (undo.length) guard('start.uninstall_failed', undo.pop()!);
  };
  const handle: SpanbeamHandle = {
    tracer: getTracer(),
    get exporter() {
      return exp();
    },
    flush: () => provider.forceFlush(),
    uninstall,
    async shutdown() {
      uninstall();
      await provider.forceFlush();
      cancel();
      for (const r of removers) r();
      await Promise.allSettled([exporter, ...(o.processors ?? [])].map(async (p) => p?.shutdown()));
      if (g[KEY] === handle) g[KEY] = undefined;
    },
  };
  return (g[KEY] = handle);
}

const INSTRUMENTATIONS = ['fetch', 'xhr', 'documentLoad', 'webVitals', 'interactions', 'navigation', 'errors', 'longTasks'] as const;

/**
 * `start()` options from a script tag's `data-*` attributes (`element.dataset`): `data-endpoint`,
 * `data-service-name`, `data-service-version`, `data-environment`, `data-propagate-to` (comma or
 * space separated), `data-sample-rate`, `data-debug`, `data-ignore-urls`, and `data-disable`
 * (instrumentation names, e.g. `"longTasks xhr"`). Undefined when there is no `data-endpoint`
 * and no `data-service-name` (the tag only loads the global).
 */
export function startOptionsFromData(d: Record<string, string | undefined>): StartOptions | undefined {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  if (d.endpoint === undefined && d.serviceName === undefined) return undefined;
  const list = (v: string | undefined) => (v ? v.split(/[\s,]+/).filter(Boolean) : undefined);
  // An empty attribute is an unset one (no empty service.name); spaces around a value are not part of it.
  const str = (v: string | undefined) => v?.trim() || undefined;
  // Invalid values are left out with a warning (printed in production builds with data-debug):
  // the page still gets tracing, with the defaults.
  // Present is on (a boolean attribute), unless written as off.
  const debug = d.debug !== undefined && !/^(false|0)$/.test(d.debug.trim());
  if (debug) setDebug(true);
  const bad = (name: string, v: string, why: string) => warn('script.bad_' + name, DEV ? `data-${name}: "${v}" ${why}; ignored` : '');
  const o: StartOptions = {
    endpoint: str(d.endpoint),
    serviceName: str(d.serviceName),
    serviceVersion: str(d.serviceVersion),
    environment: str(d.environment),
    // What the policy would ignore (not an http(s) origin or URL, a wildcard host) is said here.
    propagateTo: list(d.propagateTo)?.filter((t) => isUsableEntry(t) || bad('propagate-to', t, 'is not an http(s) origin or URL')),
    ignoreUrls: list(d.ignoreUrls),
    debug,
  };
  // Number('') is 0: an empty or blank data-sample-rate must not turn tracing off.
  const rate = str(d.sampleRate);
  if (rate) Number(rate) >= 0 && Number(rate) <= 1 ? (o.sampleRate = Number(rate)) : bad('sample-rate', rate, 'is not a number from 0 to 1');
  const off = list(d.disable);
  if (off) {
    const i: Instrumentations = {};
    // Names as documented, in any case (HTML authors may write `longtasks`).
    for (const n of off) {
      const name = INSTRUMENTATIONS.find((k) => k.toLowerCase() === n.toLowerCase());
      if (name) i[name] = false;
      else bad('disable', n, `is not one of ${INSTRUMENTATIONS.join(', ')}`);
    }
    o.instrumentations = i;
  }
  return o;
}
