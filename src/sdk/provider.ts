import type { Resource, SpanProcessor } from './types';
import type { SpanLimits } from './limits';
import type { RecordingSpan, SpanSink } from './span';
import type { Sampler } from './sampler';
import type { ResourceOptions } from './resource';
import type { SessionOptions } from './session';
import { DEFAULT_LIMITS } from './limits';
import { alwaysOn, parentBasedSampler } from './sampler';
import { buildResource } from './resource';
import type { SessionTracker } from './session';
import { sessionTracker } from './session';
import { guard, setDebug, swallowed } from './diag';

export interface TracingConfig extends ResourceOptions {
  /** Head sampler. Default: parent-based, always on for roots. */
  sampler?: Sampler;
  limits?: Partial<SpanLimits>;
  /** Session handling; `false` leaves `session.id` out of the resource. */
  session?: SessionOptions | false;
  /** Print development warnings in production builds too. */
  debug?: boolean;
}

/**
 * The one per-page tracing state: sampler, limits, resource and span processors.
 * Spans report their end here; a failing processor never affects the others or the page.
 */
export class TracerProvider implements SpanSink {
  sampler: Sampler = parentBasedSampler(alwaysOn);
  limits: SpanLimits = DEFAULT_LIMITS;
  /** @internal */
  _ps: SpanProcessor[] = [];
  private _ro: TracingConfig = {};
  private _session: SessionTracker | undefined = sessionTracker();
  /** @internal The resource as it stands: child spans take it without a session check. */
  _res: Resource | undefined;
  private _sid: string | undefined;

  configure(config: TracingConfig): void {
    if (config.sampler) this.sampler = config.sampler;
    // strip: a limit given as undefined keeps its default (undefined would mean no limit at all).
    if (config.limits) this.limits = { ...DEFAULT_LIMITS, ...strip(config.limits) };
    if (config.debug !== undefined) setDebug(config.debug);
    if (config.session === false) this._session = undefined;
    else if (config.session) this._session = sessionTracker(config.session);
    // The resource reads only its own options from the merged config.
    this._ro = { ...this._ro, ...strip(config) };
    this._res = undefined;
  }

  /** The resource for a new trace; checks the session (which may rotate) once per root span. */
  _rootRes(now?: number): Resource {
    const session = this._session;
    const sid = session ? guard('session.failed', () => session(now)) : undefined;
    if (!this._res || sid !== this._sid) {
      this._sid = sid;
      this._res = buildResource(this._ro, sid);
    }
    return this._res;
  }

  addSpanProcessor(p: SpanProcessor): () => void {
    this._ps = [...this._ps, p];
    return () => {
      this._ps = this._ps.filter((x) => x !== p);
    };
  }

  getSpanProcessors(): readonly SpanProcessor[] {
    return this._ps;
  }

  _onStart(span: RecordingSpan): void {
    const ps = this._ps;
    const parent = span.parentSpanId
      ? { traceId: span._ctx.traceId, spanId: span.parentSpanId, traceFlags: span._ctx.traceFlags }
      : undefined;
    for (let i = 0; i < ps.length; i++) {
      try {
        ps[i].onStart(span, parent);
      } catch (err) {
        swallowed('processor.onStart_failed', err);
      }
    }
  }

  _onEnd(span: RecordingSpan): void {
    const ps = this._ps;
    for (let i = 0; i < ps.length; i++) {
      try {
        ps[i].onEnd(span);
      } catch (err) {
        swallowed('processor.onEnd_failed', err);
      }
    }
  }

  // `async` turns a processor's synchronous throw (or a non-promise result) into a settled
  // promise: one failing processor neither rejects these nor stops the others.
  async forceFlush(): Promise<void> {
    await Promise.allSettled(this._ps.map(async (p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    const ps = this._ps;
    this._ps = [];
    await Promise.allSettled(ps.map(async (p) => p.shutdown()));
  }
}

function strip<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

let provider = new TracerProvider();

export function getTracerProvider(): TracerProvider {
  return provider;
}

/** Replaces the page's provider (tests, or a second independent setup). */
export function setTracerProvider(next: TracerProvider): TracerProvider {
  const prev = provider;
  provider = next;
  return prev;
}

/** Configures the page's tracing: service, sampler, limits, session. */
export function configureTracing(config: TracingConfig): void {
  provider.configure(config);
}
