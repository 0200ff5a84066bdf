import type { Attributes, ReadableSpan, SpanProcessor } from '../sdk/types';
import type { ExportResult } from '../sdk/processor';
import type { Batch, LsOutbox, Outbox } from './outbox';
import type { TailSampler, TailSampling } from './sampling';
import { DEV, count, guard, warn } from '../sdk/diag';
import { later, listen } from '../sdk/instrument/wrap';
import { parseHttpUrl } from '../propagation/policy';
import { idbOutbox, lsOutbox, memoryOutbox, newBatchId, overBytes } from './outbox';
import { backoffMs, gzip, post } from './transport';
import { nativeFetch } from './native';
import { rememberSpan } from './recent';

/** Options shared by the OTLP and Zipkin exporters. */
export interface ExporterOptions {
  /** Full URL of the collector's trace endpoint, e.g. `https://otel.example.com/v1/traces`. Required. */
  endpoint: string;
  /**
   * Extra request headers (e.g. `authorization`). Default none. Cross-origin, each one must be in
   * the collector's CORS `allowed_headers`; and since beacons cannot carry headers, page-hide
   * flushes then use keepalive `fetch` instead of `sendBeacon`.
   */
  headers?: Record<string, string>;
  /**
   * `'gzip'` compresses normal sends with `CompressionStream` (not page-hide flushes, which must be
   * synchronous). Cross-origin, add `content-encoding` to the collector's `allowed_headers`. Default `'none'`.
   */
  compression?: 'gzip' | 'none';
  /** A batch is sealed at this many spans. Default `200`. */
  maxBatchSpans?: number;
  /**
   * A batch is sealed before its body passes this many bytes. Default `30720` (30 KiB), so two
   * batches fit the browser's 64 KiB budget for requests that outlive the page.
   */
  maxBatchBytes?: number;
  /** A batch is sealed at most this long after its first span ended. Default `1000` ms. */
  maxDelayMs?: number;
  /**
   * Where sealed batches wait for delivery: `'indexeddb'` survives reloads, closed tabs and crashes
   * and is shared by the origin's tabs; `'memory'` lives with the page. IndexedDB falls back to
   * localStorage (then memory) when it is missing, blocked or over quota; a page hiding before
   * IndexedDB has opened also keeps its batches there. Default `'indexeddb'`.
   */
  outbox?: 'indexeddb' | 'memory';
  /** Outbox cap in bytes; past it the oldest batches are dropped (counted). Default `2097152` (2 MiB). */
  maxOutboxBytes?: number;
  /** Batches older than this are dropped undelivered (counted). Default `86400000` (24 h). */
  maxOutboxAgeMs?: number;
  /** First retry delay (then doubling, with jitter) when no `Retry-After` says otherwise. Default `1000` ms. */
  retryInitialMs?: number;
  /** Longest wait between retries, also the cap on `Retry-After`. Default `300000` (5 min). */
  retryMaxMs?: number;
  /** A request unanswered after this long is aborted and retried. Default `30000` ms. */
  timeoutMs?: number;
  /**
   * Tail sampling ("keep what matters"): export only traces with errors, slow spans, or a ratio
   * of the rest, as made by `tailSampler({ … })`. Default off.
   */
  tailSampling?: TailSampling;
  /** Ended spans kept in memory for `downloadChromeTrace()`. Default `500`; `0` keeps none. */
  recentSpans?: number;
  /** Called when spans are dropped for good (final HTTP status, outbox caps, age). Default none. */
  onError?: (info: ExportErrorInfo) => void;
  /**
   * Called with each sampled span as it ends, before it is queued: change its `attributes` (or its
   * events' attributes) to scrub what your app holds private, or return `false` to drop it (counted
   * as `filtered`). A hook that throws keeps the span as it is. Default none.
   */
  beforeExport?: (span: ReadableSpan) => boolean | void;
}

export interface ExportErrorInfo {
  /** `outbox_bytes`, `outbox_age`, or `http_<status>` for a final collector answer. */
  reason: string;
  spans: number;
  batchId: string;
}

/** Counters of one exporter since page load (spans, not requests, unless named otherwise). */
export interface ExportStats {
  /** Sampled spans that ended and reached the exporter. */
  ended: number;
  /** Spans not yet delivered: in memory plus this tab's last view of the outbox. */
  queued: number;
  /** Spans accepted by the collector (or handed to `sendBeacon`, which cannot report back). */
  sent: number;
  /** Spans the collector reported in `partialSuccess.rejectedSpans`. */
  rejected: number;
  /** Requests that failed in a retryable way (network, 429, 502–504) and will be retried. */
  retries: number;
  /** Batches handed to `sendBeacon`/keepalive fetch while the page was hiding. */
  beacons: number;
  /** Spans dropped for good, by reason (`outbox_bytes`, `outbox_age`, `http_400`, `tail_sampled`, `encode`, `filtered`). */
  dropped: Record<string, number>;
}

/** A span processor that batches, persists and delivers spans. */
export interface Exporter extends SpanProcessor {
  stats(): ExportStats;
  /** Seals pending spans and tries to deliver the outbox now (resolves when done or waiting to retry). */
  flush(): Promise<void>;
}

/** How a wire format turns spans into request bodies. */
export interface WireFormat {
  name: string;
  encode(span: ReadableSpan): string;
  body(spans: ReadableSpan[], encoded: string[], extra?: Attributes, first?: Attributes): string;
}

/** localStorage key of drops a page could not announce. */
const DROPS = 'spanbeam.dropped';
/** Browsers let requests that outlive the page (keepalive fetch, beacons) have 64 KiB in flight. */
const KEEPALIVE_BUDGET = 65_536;
const KEEPALIVE_MAX_BODY = 61_440;
/** How long a hide's beacons are counted against that budget (they may still be in flight). */
const BEACONS_MS = 10_000;
/** How long a settled batch's id is kept out of the outbox (a beacon's answer comes within timeoutMs). */
const GONE_MS = 600_000;

// Bodies are well-formed JSON (no lone surrogates), so this is exactly the bytes sent.
const utf8 = /* @__PURE__ */ new TextEncoder();
export const utf8Length = (s: string): number => utf8.encode(s).length;

/** The batching, persistent, retrying exporter behind `createOtlpExporter` and `createZipkinExporter`. */
export function createExporter(fmt: WireFormat, o: ExporterOptions): Exporter {
  const url = String(o.endpoint);
  // Relative to the document's base URL, as fetch resolves it (a srcdoc iframe's location is
  // about:srcdoc). Anything but http(s) is never requested: every try would fail (and log a
  // console error in the page), retried for ever.
  const target = parseHttpUrl(url, globalThis.document?.baseURI ?? globalThis.location?.href);
  const bad = !target;
  if (bad) warn('export.bad_endpoint', DEV ? `endpoint "${url}" is not an http(s) URL; nothing is sent` : '');
  const key = `${fmt.name} ${url}`;
  // Plain JS can pass NaN, a string or a negative number: its default then, with a warning. A NaN
  // maxOutboxBytes dropped every batch, a timeoutMs of 0 or NaN aborted every send, a NaN
  // recentSpans kept every span. (diag's `numbers` does the same for the instrumentations; kept
  // inline here, where sharing it cost 33 B of the minimal bundle.)
  const num = (k: keyof ExporterOptions, d: number): number => {
    const v = o[k] as number | undefined;
    return v === undefined ? d : +v >= 0 ? +v : (warn('export.bad_option', DEV ? `${k}: ${String(v)} is not a number from 0; ${d} is used` : ''), d);
  };
  const maxSpans = num('maxBatchSpans', 200);
  const maxBytes = num('maxBatchBytes', 30_720);
  const delay = num('maxDelayMs', 1000);
  const capBytes = num('maxOutboxBytes', 2_097_152);
  const capAge = num('maxOutboxAgeMs', 86_400_000);
  const retryMax = num('retryMaxMs', 300_000);
  const backoff = (n: number) => backoffMs(n, o.retryInitialMs, retryMax);
  // 0 too: it aborted every send.
  const timeout = num('timeoutMs', 30_000) || 30_000;
  const recent = num('recentSpans', 500);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
  const st: ExportStats = { ended: 0, queued: 0, sent: 0, rejected: 0, retries: 0, beacons: 0, dropped: {} };
  // Each missing in workers (window, document) or elsewhere.
  const { window: win, navigator: nav, document: doc } = globalThis as Partial<Pick<typeof globalThis, 'window' | 'navigator' | 'document'>>;

  let buf: ReadableSpan[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let unreported = 0; // drops not yet announced on a batch
  let lsb: LsOutbox | undefined;
  try {
    if (o.outbox !== 'memory') {
      lsb = lsOutbox();
      // Drops a page announced on no batch before it went (it had none left to send): this page's first does.
      unreported = +localStorage[DROPS] || 0;
      delete localStorage[DROPS];
    }
  } catch {
    /* no localStorage */
  }
  // Until IndexedDB opens, localStorage takes what a page hide must store.
  let box: Outbox = lsb ?? memoryOutbox();
  let known: Batch[] = []; // the outbox as last read while holding the drain lock, else empty
  let queued = new Map<string, number>(); // undelivered batches as this tab last saw them: id → spans
  let inflight: Batch | undefined;
  let inflightKeepalive = 0; // body bytes of the send in flight, when it is a keepalive one
  let draining: Promise<void> | undefined;
  let again = false;
  let unlock: (() => void) | undefined;
  let hides = 0; // pagehides and pageshows from the bfcache: odd while hidden
  let hideAt = 0;
  let hideSpent = 0;
  let stopped = false;
  let late = false; // a hide is queued for spans ended just after one
  // Batches this tab delivered (or handed to a beacon, or gave up on), with when: a copy may still
  // come back for a moment (another tab's hide parks one in localStorage), or a beacon's answer ask
  // for it again. Forgotten after GONE_MS: kept for ever, the id of every batch a page open for
  // days sent stayed in memory.
  const gone = new Map<string, number>();
  const writing = new Set<Batch>(); // sealed here, write to the outbox not yet committed (no other tab sees them)
  const settle = (id: string) => {
    const now = Date.now();
    for (const [k, t] of gone) if (now - t > GONE_MS) gone.delete(k);
    else break;
    gone.set(id, now);
    queued.delete(id);
  };
  let stored = 0; // bytes this tab stored since it last read the outbox

  // IndexedDB failing falls back to localStorage; localStorage failing (full), to memory.
  const toMemory = (err: unknown) => {
    warn('export.outbox_memory', DEV ? 'IndexedDB unavailable; keeping the outbox in localStorage or memory' : '', err);
    box = (opened && box === lsb) || !lsb ? memoryOutbox() : lsb;
  };
  // Writes are chained so batches land in order, and wait for the database to open.
  let opened = o.outbox === 'memory';
  let chain: Promise<unknown> = opened
    ? Promise.resolve()
    : idbOutbox().then((b) => void (box = b), toMemory).finally(() => (opened = true));

  const bump = (reason: string, n: number) => (st.dropped[reason] = (st.dropped[reason] ?? 0) + n);
  const drop = (reason: string, bs: Batch[]) => {
    for (const b of bs) {
      bump(reason, b.n);
      unreported += b.n + (b.d ?? 0);
      count('export.dropped', b.n);
      settle(b.id);
      try {
        o.onError?.({ reason, spans: b.n, batchId: b.id });
      } catch {
        /* the app's callback must not stop delivery */
      }
    }
    if (reason.startsWith('http')) warn(`export.${reason}`, DEV ? `collector refused a batch (${reason}); its spans are dropped` : '');
  };

  const ts = o.tailSampling;
  if (ts && typeof ts !== 'function') warn('export.tail_sampling', DEV ? 'tailSampling takes tailSampler({ … }), not plain options; ignored' : '');
  const tail: TailSampler | undefined =
    typeof ts === 'function' ? ts((s) => accept(s), (n) => bump('tail_sampled', n)) : undefined;

  /** Encodes spans into batches within the count and byte limits. */
  const pack = (spans: ReadableSpan[]): Batch[] => {
    const out: Batch[] = [];
    let cur: ReadableSpan[] = [];
    let enc: string[] = [];
    let size = 0;
    const close = () => {
      if (!cur.length) return;
      const t = Date.now();
      const id = newBatchId(t);
      const d = unreported;
      unreported = 0;
      const b = fmt.body(cur, enc, { 'spanbeam.batch.id': id }, d ? { 'spanbeam.export.dropped_spans': d } : undefined);
      out.push({ id, k: key, t, n: cur.length, b, z: utf8Length(b), d });
      cur = [];
      enc = [];
    };
    for (const s of spans) {
      let e: string;
      try {
        e = fmt.encode(s);
      } catch (err) {
        warn('export.encode_failed', DEV ? 'a span could not be encoded; dropped' : '', err);
        bump('encode', 1);
        continue;
      }
      const z = utf8Length(e) + 1;
      if (cur.length && (size + z > maxBytes || cur.length >= maxSpans)) close();
      // A batch's wrapper (resource, scope, batch id) measured from its first span.
      if (!cur.length) size = utf8Length(fmt.body([s], [e], { 'spanbeam.batch.id': 'x'.repeat(24) })) - z + 64;
      cur.push(s);
      enc.push(e);
      size += z;
    }
    close();
    return out;
  };

  // What IndexedDB already holds waits there for another tab or the next visit. Not batches this
  // tab settled meanwhile (delivered, or stored by a page hide). Resolves to those stored.
  const store = async (bs: Batch[]) => {
    bs = bs.filter((b) => !gone.has(b.id));
    // IndexedDB failing, localStorage may have no room either (a put there is all or none): then
    // memory, which never fails.
    await box._put(bs).catch((err: unknown) => (toMemory(err), store(bs)));
    return bs;
  };

  // One transaction for all of a seal's batches: one each, a burst took as many round trips to
  // commit, and what a closing tab had not committed yet it could only park in localStorage, beyond
  // whose share the rest relied on a write at pagehide (lost on a loaded machine).
  const persist = (bs: Batch[]) => {
    for (const b of bs) writing.add(b);
    chain = chain
      .then(async () => {
        // Not those a page hide stored meanwhile.
        for (const b of await store(bs.filter((b) => writing.has(b)))) {
          stored += b.z;
          // Committed: the drain lock's holder (maybe another tab) may be sending it already.
          writing.delete(b);
          if (!gone.has(b.id)) queued.set(b.id, b.n);
        }
      })
      .catch((err: unknown) => warn('export.persist_failed', DEV ? 'could not store a batch' : '', err))
      .finally(() => bs.forEach((b) => writing.delete(b)));
  };

  /** The pending spans, sealed into batches. */
  const take = () => {
    clearTimeout(timer);
    timer = undefined;
    return pack(buf.splice(0));
  };

  const seal = () => {
    if (!buf.length) return;
    persist(take());
    void drain();
  };

  const accept = (span: ReadableSpan) => {
    buf.push(span);
    if (buf.length >= maxSpans) seal();
    // Native timers (`later`): a span ended inside an app zone (Angular's) must not schedule a
    // Zone task there, which would run change detection and keep the zone unstable.
    else timer ??= later(seal, delay);
  };

  /** The keepalive budget left by this page's recent hides. */
  const keepaliveLeft = () => KEEPALIVE_BUDGET - 1024 - (Date.now() - hideAt < BEACONS_MS ? hideSpent : 0);

  const send = async (b: Batch): Promise<ExportResult> => {
    if (bad) return { code: 'failure', error: 'bad_endpoint' };
    const z = o.compression === 'gzip' ? await gzip(b.b).catch(() => undefined) : undefined;
    const size = z ? z.size : b.z;
    // keepalive lets a send in progress finish if the page goes away, within the shared budget.
    // The loop sends one batch at a time (and resets this).
    // Not beyond what a recent hide's beacons left of the budget: the browser would refuse it, and a
    // pagehide would then count it delivered.
    inflightKeepalive = size <= Math.min(KEEPALIVE_MAX_BODY, keepaliveLeft()) ? size : 0;
    return post(url, z ?? b.b, z ? { ...headers, 'content-encoding': 'gzip' } : headers, inflightKeepalive > 0, timeout);
  };

  const retryLater = (ms: number) => {
    clearTimeout(retryTimer);
    retryTimer = later(() => {
      retryTimer = undefined;
      void drain();
    }, ms > 50 ? Math.min(retryMax, ms) : 50); // NaN too: never a 0 ms loop
  };

  /**
   * Sends the outbox oldest first, one batch at a time, while holding the drain lock; applies the
   * caps there too (also while waiting to retry), so no two tabs count one drop.
   */
  const loop = async () => {
    const h = hides;
    // Ours until a pagehide (`hides` is odd until pageshow): the lock is given back then, and a page
    // going away runs on for some ms but must start nothing more (a send whose answer it cannot see
    // leaves its batch to be sent again next visit). Checked before each write.
    const ours = () => h === hides && !(h & 1);
    // Waiting to retry, only the caps are applied: reading the whole outbox for each batch stored
    // made an outage cost more the longer it lasted. Read again once a quarter of the cap is new.
    if (retryTimer && stored < capBytes / 4) return;
    try {
      // What a page hide (this tab's or another's) left in localStorage goes to IndexedDB, then out
      // of localStorage: a tab closing in between leaves a copy under the same key. Once per lock
      // holding, not per batch: it reads every localStorage key.
      if (lsb && box !== lsb && !box._list) {
        const ps = await lsb._all(key);
        if (!ours()) return;
        // Not one this tab delivered meanwhile (its IndexedDB copy, written at an earlier hide).
        if (ps.length) await store(ps);
        if (box !== lsb) await lsb._del(ps.map((b) => b.id));
      }
      while (ours()) {
        const all = (await box._all()).filter((b) => !gone.has(b.id));
        if (!ours()) return;
        stored = 0;
        const now = Date.now();
        // Every exporter's: batches for an endpoint no page sends to any more would stay for ever.
        const old = all.filter((b) => now - b.t > capAge);
        const over = overBytes((known = all.filter((b) => b.k === key && !old.includes(b))), capBytes);
        known = known.slice(over.length);
        if (old.length + over.length) {
          await box._del([...old, ...over].map((b) => b.id));
          drop('outbox_age', old);
          drop('outbox_bytes', over);
        }
        queued = new Map(known.map((b) => [b.id, b.n]));
        if (retryTimer || !ours()) return;
        if (nav?.onLine === false) return retryLater(backoff(Math.max(attempt, 3)));
        if (!known.length) return;
        // Sent in order from this one read (what is stored meanwhile comes at the next): reading the
        // outbox again for each batch made a drain of n batches read n²/2 of them.
        for (let b; (b = known[0]) && ours(); known.shift()) {
          if (gone.has(b.id)) continue; // handed to a beacon when the tab was hidden
          // While a recent hide's beacons hold the keepalive budget, a batch that could go keepalive
          // waits for it: sent without, it is cut off if the tab closes (after the collector may have
          // it) and sent again next visit; sent with, the browser refuses it.
          const wait = hideAt + BEACONS_MS - Date.now();
          if (b.z <= KEEPALIVE_MAX_BODY && b.z > keepaliveLeft() && wait > 0) return retryLater(wait);
          inflight = b;
          const r = await send(b);
          // Failing on the network, a keepalive send may only be cut off from this page: Chromium fails
          // the fetches of a page it navigates away from just before pagehide, and the request goes on.
          // Unless the collector was failing already, it stays in flight a moment, so that a page hide
          // counts it delivered rather than send it again.
          if (!attempt && inflightKeepalive && (r as { error?: string }).error?.startsWith('network')) await new Promise<void>((ok) => later(ok, 200));
          inflight = undefined;
          inflightKeepalive = 0;
          if (r.code === 'retryable') {
            st.retries++;
            // Settled on pagehide (its keepalive send outlives the page); back from the bfcache, the answer counts.
            if (gone.delete(b.id)) {
              persist([b]);
              break;
            }
            attempt++;
            // A Retry-After of 0, or a date already past (the page's clock ahead of the collector's),
            // backs off too: retried every 50 ms, a throttled collector got ~20 requests a second.
            return retryLater(r.retryAfterMs || backoff(attempt));
          }
          attempt = 0;
          settle(b.id);
          await box._del([b.id]);
          if (r.code === 'success') {
            const rej = Math.max(0, Math.min(b.n, r.rejected ?? 0)); // a collector's count is not trusted
            st.sent += b.n - rej;
            st.rejected += rej;
            if (rej) warn('export.rejected', DEV ? `collector rejected ${rej} spans (partialSuccess)` : '');
          } else drop(r.error ?? 'failure', [b]);
        }
      }
    } finally {
      inflight = undefined;
      known = [];
    }
  };

  const locked = (fn: () => Promise<void>): Promise<unknown> => {
    const locks = nav?.locks;
    // One tab drains the shared outbox (and adopts localStorage's) at a time, so no batch is sent by
    // two tabs. The lock is given back on pagehide: a page in the back/forward cache that holds it is
    // evicted as soon as another page of the origin asks for it (WebLocksContention).
    if (box._list || !locks) return fn();
    let run: Promise<void>;
    return locks.request(`spanbeam-outbox ${key}`, () => new Promise<void>((ok) => ((unlock = ok), (run = fn()).then(ok, ok)))).then(() => run);
  };

  function drain(): Promise<void> {
    if (draining) {
      again = true;
      return draining;
    }
    draining = (async () => {
      do {
        again = false;
        await chain;
        await locked(loop);
      } while (again);
    })()
      .catch((err: unknown) => {
        warn('export.drain_failed', DEV ? 'delivery loop failed' : '', err);
        // An outbox read or delete that failed (a connection the browser closed) is retried like a send.
        retryLater(backoff(++attempt));
      })
      .finally(() => (draining = undefined));
    return draining;
  }

  /** Hands one batch to the browser for delivery after the page is gone; false when refused. */
  const beacon = (b: Batch): boolean => {
    // Offline, a beacon is lost for sure (the browser accepts it all the same); while the collector
    // fails (503, 429), a send at close is likely refused unseen: a shared outbox keeps them for the
    // next visit. A page-local one has no next visit: keepalive fetch, below, is their best chance.
    if (bad || nav?.onLine === false || (attempt && !box._list)) return false;
    try {
      // A JSON Blob (not a string, which arrives as text/plain and gets 415) without extra headers.
      // To Zipkin cross-origin, untyped (no preflight): zipkin-server reads any type as JSON, but its
      // CORS (`*`, no credentials) refuses a JSON Blob's credentialed preflight, and the spans were
      // lost. Same host still JSON: Jaeger v1's Zipkin endpoint takes nothing else.
      // Not while the collector fails: a beacon's refusal is unseen even if the page lives on.
      if (nav?.sendBeacon && !o.headers && !attempt)
        return nav.sendBeacon(url, new Blob([b.b], { type: fmt.name == 'zipkin' && target.host != location.host ? '' : headers['content-type'] }));
      if (!nativeFetch()) return false;
      // Issued now (post() calls fetch synchronously). If the page lives on (tab hidden, not
      // closed), the answer is seen: a retryable one puts the batch back in the outbox, a final one drops it.
      void post(url, b.b, headers, true, timeout).then((r) => {
        if (r.code === 'success' || !gone.delete(b.id)) return;
        st.sent -= b.n;
        if (r.code === 'failure') return drop(r.error ?? 'failure', [b]);
        st.retries++;
        persist([b]);
        void drain();
      });
      return true;
    } catch {
      return false;
    }
  };

  // Pending spans are sealed even if tail sampling fails.
  const tailFlush = () => guard('export.tail_failed', () => tail?.flush());

  /**
   * Page hiding (maybe for good): seal what is pending and hand it to the browser in chunks within
   * the keepalive budget; what does not fit stays in the outbox for later or for the next visit.
   * Batches already in a shared outbox are only sent when this tab holds the drain lock, so
   * another tab cannot be sending them too.
   */
  const onHide = (final: boolean) => {
    if (stopped) return;
    tailFlush();
    // Candidates no other tab can be sending: sealed now, still being written, in memory, or read under our lock.
    const fresh = take();
    const mine = [...writing, ...fresh];
    const stored = box._list ?? known;
    const cands = stored.filter((b) => b !== inflight && !mine.includes(b)).concat(mine).filter((b) => !gone.has(b.id));
    // Beacons from a `visibilitychange` just before `pagehide` are still in flight: one budget for both.
    const now = Date.now();
    if (now - hideAt >= BEACONS_MS) hideSpent = 0;
    hideAt = now;
    let budget = keepaliveLeft() - inflightKeepalive;
    const settled: string[] = [];
    for (const b of cands) {
      if (b.z > budget || !beacon(b)) continue;
      budget -= b.z;
      hideSpent += b.z;
      settle(b.id);
      st.sent += b.n;
      st.beacons++;
      // Also deletes a copy whose earlier write may still commit (IndexedDB runs these in order).
      if (!fresh.includes(b)) settled.push(b.id);
    }
    // A keepalive send in flight outlives the page; count it delivered rather than resend it next
    // visit, or have another page send it once the lock is given back.
    if (final && inflight && inflightKeepalive) {
      settle(inflight.id);
      settled.push(inflight.id);
    }
    if (settled.length) void box._del(settled).catch(() => undefined);
    // The rest is written synchronously, in one transaction committed now: writes chained on
    // promises, or waiting for a read, do not finish once the page is gone. Rewriting a batch
    // whose write is in progress is harmless (same key).
    const rest = mine.filter((b) => !gone.has(b.id));
    for (const b of fresh) if (!gone.has(b.id)) queued.set(b.id, b.n);
    // Without localStorage before IndexedDB opens: stored once it does, if the page lives on.
    if (!opened && box._list) return persist(rest);
    // From pagehide on, the page may be destroyed before an IndexedDB transaction commits (seen on
    // loaded machines): localStorage, written synchronously, takes what fits of its share (as it
    // does before IndexedDB opens). Moved to IndexedDB by the next drain, so not stored again by persist().
    const idb = lsb && !box._list && (final || hides & 1 || box === lsb) ? lsb._park(rest) : rest;
    // The others, until committed, are this tab's to send again at the next hide: no other tab
    // sees them yet. A write that fails (IndexedDB over quota, localStorage full) leaves them to
    // persist(): to localStorage or memory, if the page lives on.
    for (const b of rest) writing[idb.includes(b) ? 'add' : 'delete'](b);
    if (idb.length)
      void box._put(idb).then(
        () => idb.forEach((b) => writing.delete(b)),
        () => (persist(idb), drain()),
      );
    if (!opened) later(drain, 0); // never in a page that is gone
  };

  const listeners: Array<() => void> = [];
  const on = (target: EventTarget | undefined, type: string, fn: (e: Event) => void) =>
    target && listeners.push(listen(target, type, (e) => void guard('export.listener_failed', () => fn(e))));
  on(doc, 'visibilitychange', () => doc!.visibilityState === 'hidden' && onHide(false));
  on(win, 'pagehide', () => {
    onHide(true);
    // Drops no batch carries (none was left to seal): the next page announces them.
    if (unreported && lsb)
      try {
        localStorage[DROPS] = (+localStorage[DROPS] || 0) + unreported;
        unreported = 0;
      } catch {}
    // Into the back/forward cache too: stop sending and give the drain lock back (unless a send that
    // did not settle is in flight: another page would send it again); what was read under it is no longer ours.
    hides++;
    known = [];
    if (!inflight || inflightKeepalive) unlock?.();
  });
  // Even again (an exporter made during a pagehide did not count it).
  on(win, 'pageshow', (e) => (e as PageTransitionEvent).persisted && ((hides += hides & 1), drain()));
  on(win, 'online', () => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    void drain();
  });

  // What earlier pages (or crashed tabs) left behind goes first.
  void drain();

  const flush = async () => {
    try {
      tailFlush();
      seal();
      await drain();
    } catch (err) {
      warn('export.flush_failed', DEV ? 'flush failed' : '', err);
    }
  };

  return {
    onStart() {},
    onEnd(span) {
      if (stopped || (span.spanContext().traceFlags & 1) === 0) return;
      st.ended++;
      if (o.beforeExport && guard('export.before_export_failed', () => o.beforeExport!(span)) === false) return void bump('filtered', 1);
      rememberSpan(span, recent);
      if (tail) tail.onEnd(span);
      else accept(span);
      // Ended just after a hide (in page-hide listeners after ours): handed over at once, as a closing
      // page runs no timer. No clock read per span before the first hide.
      if (hideAt && !late && Date.now() - hideAt < 1000) {
        late = true;
        void Promise.resolve().then(() => guard('export.listener_failed', () => ((late = false), onHide(false))));
      }
    },
    flush,
    forceFlush: flush,
    async shutdown() {
      await flush();
      stopped = true;
      clearTimeout(retryTimer);
      for (const off of listeners) off();
    },
    stats: () => ({ ...st, queued: [...queued.values()].reduce((a, n) => a + n, buf.length), dropped: { ...st.dropped } }),
  };
}
