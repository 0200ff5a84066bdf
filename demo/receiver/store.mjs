// Where received spans live: every accepted request is appended as one NDJSON line (the shape
// the Collector's file exporter writes), so the file survives restarts; an in-memory index by
// trace id answers the viewer's queries and is rebuilt from the file on start.
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open as openFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * @typedef {object} TraceSummary
 * @property {string} traceId
 * @property {string[]} services
 * @property {string} rootName name of the root span (or the earliest span whose parent is missing)
 * @property {string} rootService
 * @property {boolean} complete whether a span without parent is present
 * @property {number} startMs epoch ms of the earliest span
 * @property {number} durationMs earliest start to latest end
 * @property {number} spanCount
 * @property {number} errorCount spans with status ERROR
 */

/** Nanoseconds as a decimal string → epoch ms (float). @param {unknown} ns */
export function nanosToMs(ns) {
  const s = String(ns ?? '0');
  if (!/^\d+$/.test(s)) return Number(s) / 1e6 || 0;
  return s.length > 6 ? Number(s.slice(0, -6)) + Number(s.slice(-6)) / 1e6 : Number(s) / 1e6;
}

/** @param {any} resource */
function serviceOf(resource) {
  const attributes = Array.isArray(resource?.attributes) ? resource.attributes : [];
  const kv = attributes.find((/** @type {any} */ a) => a?.key === 'service.name');
  return kv?.value?.stringValue ?? 'unknown_service';
}

export class TraceStore {
  /** @param {{ file: string, maxTraces?: number }} o */
  constructor(o) {
    this.file = o.file;
    this.maxTraces = o.maxTraces ?? 5000;
    /** @type {Map<string, { spans: Map<string, { resource: any, resourceKey: string, scope: any, span: any }>, summary: TraceSummary | undefined }>} */
    this.traces = new Map();
    /** Appends run one after another so lines never interleave. */
    this.writing = Promise.resolve();
    /** Whether the last append failed, perhaps leaving part of a line. */
    this.torn = false;
    this.skippedLines = 0;
  }

  /** Creates the data directory and indexes what the file already holds. */
  async open() {
    await mkdir(dirname(this.file), { recursive: true });
    /** @type {import('node:fs').ReadStream} */
    let stream;
    try {
      stream = createReadStream(this.file, { encoding: 'utf8' });
      await new Promise((ok, fail) => {
        stream.once('open', ok);
        stream.once('error', fail);
      });
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return;
      throw err;
    }
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      try {
        this.index(JSON.parse(line));
      } catch {
        // A line cut short by a crash mid-write: skip it, keep the rest.
        this.skippedLines++;
      }
    }
    // After such a crash the file may not end with a newline: end the broken line so the next
    // request starts a line of its own.
    const fh = await openFile(this.file, 'r');
    try {
      const { size } = await fh.stat();
      const last = Buffer.alloc(1);
      if (size > 0 && (await fh.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a) await appendFile(this.file, '\n');
    } finally {
      await fh.close();
    }
  }

  /**
   * Stores one request (persisted before it resolves) and returns the trace ids it touched.
   * @param {{ resourceSpans: any[] }} request
   * @returns {Promise<string[]>}
   */
  async add(request) {
    const line = JSON.stringify(request) + '\n';
    // After a write that failed part way (a full disk), start on a fresh line: the torn one is
    // skipped on the next start, and this one is kept.
    const write = this.writing
      .then(() => appendFile(this.file, this.torn ? '\n' + line : line))
      .then(
        () => {
          this.torn = false;
        },
        (err) => {
          this.torn = true;
          throw err;
        },
      );
    this.writing = write.catch(() => undefined);
    await write;
    return this.index(request);
  }

  /** @param {{ resourceSpans?: any[] }} request @returns {string[]} */
  index(request) {
    const touched = new Set();
    for (const rs of request.resourceSpans ?? []) {
      const resource = rs.resource ?? { attributes: [] };
      const resourceKey = JSON.stringify(resource);
      for (const ss of rs.scopeSpans ?? []) {
        const scope = ss.scope ?? { name: '' };
        for (const span of ss.spans ?? []) {
          let t = this.traces.get(span.traceId);
          if (!t) {
            t = { spans: new Map(), summary: undefined };
            this.traces.set(span.traceId, t);
          }
          // Keyed by span id: a batch sent again (a retry) replaces, never duplicates.
          t.spans.set(span.spanId, { resource, resourceKey, scope, span });
          t.summary = undefined;
          touched.add(span.traceId);
        }
      }
    }
    while (this.traces.size > this.maxTraces) {
      const oldest = this.traces.keys().next().value;
      if (oldest === undefined) break;
      this.traces.delete(oldest);
    }
    return [...touched].filter((id) => this.traces.has(id));
  }

  /** @param {string} traceId @returns {TraceSummary | undefined} */
  summary(traceId) {
    const t = this.traces.get(traceId);
    if (!t) return undefined;
    if (t.summary) return t.summary;
    let start = Infinity;
    let end = -Infinity;
    let errors = 0;
    const services = new Set();
    /** @type {{ span: any, resource: any } | undefined} */
    let root;
    let rootStart = Infinity;
    let complete = false;
    for (const e of t.spans.values()) {
      const s = e.span;
      const sMs = nanosToMs(s.startTimeUnixNano);
      const eMs = Math.max(sMs, nanosToMs(s.endTimeUnixNano));
      if (sMs < start) start = sMs;
      if (eMs > end) end = eMs;
      if (s.status?.code === 2) errors++;
      services.add(serviceOf(e.resource));
      const isRoot = !s.parentSpanId;
      const orphan = !isRoot && !t.spans.has(s.parentSpanId);
      // A true root wins over an orphan (a span whose parent has not arrived, or never will).
      if (isRoot && (!complete || sMs < rootStart)) {
        root = e;
        rootStart = sMs;
        complete = true;
      } else if (orphan && !complete && sMs < rootStart) {
        root = e;
        rootStart = sMs;
      }
    }
    t.summary = {
      traceId,
      services: [...services].sort(),
      rootName: root?.span.name ?? '',
      rootService: root ? serviceOf(root.resource) : '',
      complete,
      startMs: start,
      durationMs: Math.max(0, end - start),
      spanCount: t.spans.size,
      errorCount: errors,
    };
    return t.summary;
  }

  /**
   * Summaries, newest first.
   * @param {{ service?: string, errors?: boolean, limit?: number }} [filter]
   * @returns {TraceSummary[]}
   */
  list(filter = {}) {
    /** @type {TraceSummary[]} */
    const out = [];
    for (const id of this.traces.keys()) {
      const s = this.summary(id);
      if (!s) continue;
      if (filter.service && !s.services.includes(filter.service)) continue;
      if (filter.errors && s.errorCount === 0) continue;
      out.push(s);
    }
    out.sort((a, b) => b.startMs - a.startMs);
    return out.slice(0, filter.limit ?? 200);
  }

  /** Every service name seen, sorted. */
  services() {
    const set = new Set();
    for (const id of this.traces.keys()) for (const s of this.summary(id)?.services ?? []) set.add(s);
    return [...set].sort();
  }

  /**
   * One trace as an ExportTraceServiceRequest: its spans grouped by resource, then scope.
   * @param {string} traceId
   */
  get(traceId) {
    const t = this.traces.get(traceId);
    if (!t) return undefined;
    /** @type {Map<string, { resource: any, scopes: Map<string, { scope: any, spans: any[] }> }>} */
    const byResource = new Map();
    for (const e of t.spans.values()) {
      let r = byResource.get(e.resourceKey);
      if (!r) byResource.set(e.resourceKey, (r = { resource: e.resource, scopes: new Map() }));
      const scopeKey = JSON.stringify(e.scope);
      let sc = r.scopes.get(scopeKey);
      if (!sc) r.scopes.set(scopeKey, (sc = { scope: e.scope, spans: [] }));
      sc.spans.push(e.span);
    }
    return {
      resourceSpans: [...byResource.values()].map((r) => ({
        resource: r.resource,
        scopeSpans: [...r.scopes.values()].map((sc) => ({ scope: sc.scope, spans: sc.spans })),
      })),
    };
  }
}
