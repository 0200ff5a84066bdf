// Spanbeam's SDK used on the server: the same tracer as in the browser, with an
// AsyncLocalStorage context (the active span follows `await` in Node) and a small batching
// processor that posts OTLP/HTTP JSON to the receiver with Node's fetch.
import { AsyncLocalStorage } from 'node:async_hooks';
import { configureTracing, encodeOtlpJsonString, getTracerProvider, setContextManager } from 'spanbeam';

/** @typedef {import('spanbeam').ContextManager} ContextManager */
/** @typedef {import('spanbeam').SpanProcessor} SpanProcessor */

/**
 * The active span follows async work through Node's AsyncLocalStorage.
 * @implements {ContextManager}
 */
export class AsyncLocalStorageContextManager {
  constructor() {
    /** @type {AsyncLocalStorage<import('spanbeam').Span | undefined>} */
    this.storage = new AsyncLocalStorage();
  }
  active() {
    return this.storage.getStore();
  }
  /** @template {unknown[]} A @template R @param {import('spanbeam').Span | undefined} span @param {(...args: A) => R} fn @param {unknown} [thisArg] @param {A} args @returns {R} */
  with(span, fn, thisArg, ...args) {
    return this.storage.run(span, () => fn.apply(thisArg, args));
  }
  /** @template {(...args: never[]) => unknown} F @param {import('spanbeam').Span | undefined} span @param {F} fn @returns {F} */
  bind(span, fn) {
    const manager = this;
    return /** @type {F} */ (
      /** @type {unknown} */ (
        function bound(/** @type {unknown[]} */ ...args) {
          // @ts-ignore: `this` is whatever the caller binds
          return manager.with(span, /** @type {any} */ (fn), this, ...args);
        }
      )
    );
  }
  enable() {
    return this;
  }
  disable() {
    this.storage.disable();
    return this;
  }
}

/**
 * Batches ended spans (by count and time) and posts them as OTLP JSON. Failed posts are retried
 * once with the next batch, then dropped with a message: a demo, not the browser's outbox.
 * @implements {SpanProcessor}
 */
export class BatchOtlpProcessor {
  /** @param {{ endpoint: string, maxBatch?: number, delayMs?: number, name?: string }} o */
  constructor(o) {
    this.endpoint = o.endpoint;
    this.maxBatch = o.maxBatch ?? 256;
    this.delayMs = o.delayMs ?? 300;
    this.name = o.name ?? 'tracing';
    /** @type {import('spanbeam').ReadableSpan[]} */
    this.queue = [];
    /** @type {NodeJS.Timeout | undefined} */
    this.timer = undefined;
    /** @type {Set<Promise<void>>} */
    this.inFlight = new Set();
    this.warned = false;
  }
  onStart() {}
  /** @param {import('spanbeam').ReadableSpan} span */
  onEnd(span) {
    if ((span.spanContext().traceFlags & 1) === 0) return;
    this.queue.push(span);
    if (this.queue.length >= this.maxBatch) this.send();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.send(), this.delayMs);
      this.timer.unref();
    }
  }
  send() {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.queue.length);
    if (!batch.length) return;
    const p = this.post(batch, 1).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }
  /** @param {import('spanbeam').ReadableSpan[]} batch @param {number} retries @returns {Promise<void>} */
  async post(batch, retries) {
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: encodeOtlpJsonString(batch),
      });
      await res.arrayBuffer();
      if (res.status >= 500 && retries > 0) return this.post(batch, retries - 1);
      if (!res.ok) console.warn(`[${this.name}] the OTLP endpoint answered ${res.status}; ${batch.length} span(s) dropped`);
      this.warned = false;
    } catch (err) {
      if (retries > 0) {
        await new Promise((ok) => setTimeout(ok, 500));
        return this.post(batch, retries - 1);
      }
      if (!this.warned) console.warn(`[${this.name}] cannot reach ${this.endpoint} (${/** @type {Error} */ (err).message}); spans dropped`);
      this.warned = true;
    }
  }
  async forceFlush() {
    this.send();
    await Promise.all(this.inFlight);
  }
  async shutdown() {
    await this.forceFlush();
  }
}

/**
 * Configures this process's tracing: service name, Node context, export to `endpoint`.
 * @param {{ serviceName: string, endpoint: string }} o
 */
export function startNodeTracing(o) {
  configureTracing({
    serviceName: o.serviceName,
    session: false,
    attributes: {
      'telemetry.sdk.language': 'nodejs',
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      'process.pid': process.pid,
    },
  });
  setContextManager(new AsyncLocalStorageContextManager());
  const processor = new BatchOtlpProcessor({ endpoint: o.endpoint, name: o.serviceName });
  getTracerProvider().addSpanProcessor(processor);
  return { flush: () => getTracerProvider().forceFlush() };
}
