/**
 * `start()`: tracing, context, export and every instrumentation in one call.
 */
import type { Attributes, SpanProcessor } from './sdk/types';
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
import { DEV, guard, warn } from './sdk/diag';
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
import { whenIdle } from './sdk/instrument/wrap';

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
  /** Share of new traces recorded, 0–1 (parent-based; remote parents decide for themselves). Default 1. */
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

let current: SpanbeamHandle | undefined;

function opts<O extends object>(v: Toggle<O> | undefined): O | undefined {
  return v === false ? undefined : v === true || v === undefined ? ({} as O) : v;
}

/**
 * Starts tracing the page. Cheap on purpose: page-load spans are built after `load`, observers are
 * passive. Calling it again warns and returns the first handle.
 */
export function start(options: StartOptions = {}): SpanbeamHandle {
  if (current) {
    warn('start.twice', DEV ? 'start() was already called; returning the existing handle' : '');
    return current;
  }
  const o = options;
  const rate = o.sampleRate;
  configureTracing({
    serviceName: o.serviceName,
    serviceVersion: o.serviceVersion,
    environment: o.environment,
    attributes: o.attributes,
    session: o.session,
    debug: o.debug,
    sampler: o.sampler ?? (typeof rate === 'number' && rate >= 0 && rate < 1 ? parentBasedSampler(traceIdRatioSampler(rate)) : undefined),
  });
  if (o.zone !== false && ZoneContextManager.isSupported()) setContextManager(new ZoneContextManager());

  const endpoint = o.endpoint;
  const ignoreUrls = [...(o.ignoreUrls ?? []), ...(endpoint ? [endpoint] : [])];
  const http = { propagateTo: o.propagateTo, ignoreUrls };
  const i = o.instrumentations ?? {};
  const undo: Unpatch[] = [];
  const deferred: Array<() => void> = [];
  const install = <O extends object>(name: string, v: Toggle<O> | undefined, fn: (x: O) => Unpatch, idle?: 1) => {
    const x = opts(v);
    const run = () => guard(`start.${name}_failed`, () => undo.push(fn(x!)));
    if (x) (idle ? deferred.push(run) : run());
  };
  // Errors first (they see failures in the rest); interactions before the app adds listeners.
  install('errors', i.errors, instrumentErrors);
  install('interactions', i.interactions, instrumentInteractions);
  install('fetch', i.fetch, (x) => instrumentFetch({ ...http, ...x }));
  install('xhr', i.xhr, (x) => instrumentXhr({ ...http, ...x }));
  install('navigation', i.navigation, instrumentNavigation);
  install('documentLoad', i.documentLoad, (x) => instrumentPageLoad({ ignoreUrls, ...x }));
  // Observers of buffered entries (web vitals, long frames) lose nothing by waiting: they start
  // when the page is first idle (within half a second), keeping start() cheap. A page closed
  // before then reports no web vitals.
  install('webVitals', i.webVitals, instrumentWebVitals, 1);
  install('longTasks', i.longTasks, instrumentLongTasks, 1);
  if (deferred.length) undo.push(whenIdle(() => deferred.splice(0).forEach((f) => f()), 500));

  // Processors last: their page-hide flush listeners then run after ours, which end spans first.
  const provider = getTracerProvider();
  const removers = (o.processors ?? []).map((p) => provider.addSpanProcessor(p));
  const exporter = endpoint ? guard('start.exporter_failed', () => createOtlpExporter({ headers: o.headers, ...o.exporter, endpoint })) : undefined;
  if (exporter) removers.push(provider.addSpanProcessor(exporter));

  const uninstall = () => {
    deferred.length = 0;
    while (undo.length) guard('start.uninstall_failed', undo.pop()!);
  };
  const handle: SpanbeamHandle = {
    tracer: getTracer(),
    exporter,
    flush: () => provider.forceFlush(),
    uninstall,
    async shutdown() {
      uninstall();
      await provider.forceFlush();
      for (const r of removers) r();
      await Promise.all([exporter, ...(o.processors ?? [])].map((p) => p?.shutdown().catch(() => undefined)));
      if (current === handle) current = undefined;
    },
  };
  return (current = handle);
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
  if (d.endpoint === undefined && d.serviceName === undefined) return undefined;
  const list = (v: string | undefined) => (v ? v.split(/[\s,]+/).filter(Boolean) : undefined);
  const o: StartOptions = {
    endpoint: d.endpoint || undefined,
    serviceName: d.serviceName,
    serviceVersion: d.serviceVersion,
    environment: d.environment,
    propagateTo: list(d.propagateTo),
    ignoreUrls: list(d.ignoreUrls),
    debug: d.debug !== undefined && d.debug !== 'false',
  };
  const rate = d.sampleRate === undefined ? NaN : Number(d.sampleRate);
  if (rate >= 0 && rate <= 1) o.sampleRate = rate;
  const off = list(d.disable);
  if (off) {
    const i: Instrumentations = {};
    for (const name of INSTRUMENTATIONS) if (off.includes(name)) i[name] = false;
    o.instrumentations = i;
  }
  return o;
}
