// The demo's trace list: recent traces from the local receiver (filtered by service and errors,
// newest first, updated live over Server-Sent Events); a click opens one in <spanbeam-viewer>.
// DOM is built with textContent only: span names and attributes are never markup.
import 'spanbeam/viewer';
import { toChromeTrace } from 'spanbeam';
import { spansFromOtlp } from './otlp-spans.js';

const RECEIVER = import.meta.env.VITE_SPANBEAM_RECEIVER;
const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));

/** @typedef {{ traceId: string, services: string[], rootName: string, rootService: string, startMs: number, durationMs: number, spanCount: number, errorCount: number }} Summary */

/** @type {Map<string, Summary>} */
const traces = new Map();
/** @type {Set<string>} */
const fresh = new Set();
/** @type {{ id: string, json: any } | undefined} */
let open;

const filters = () => ({ service: $('service').value, errors: $('errors').checked });
/** @param {Summary} t */
const matches = (t) => {
  const f = filters();
  return (!f.service || t.services.includes(f.service)) && (!f.errors || t.errorCount > 0);
};

/** @param {number} ms */
function formatDuration(ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

/** @param {number} epochMs */
function formatStart(epochMs) {
  const d = new Date(epochMs);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** @param {string} tag @param {string} text @param {string} [cls] */
function cell(tag, text, cls) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

/** @param {Summary} t */
function row(t) {
  const tr = document.createElement('tr');
  tr.dataset.traceId = t.traceId;
  tr.tabIndex = 0;
  tr.setAttribute('aria-selected', String(open?.id === t.traceId));
  if (t.errorCount) tr.classList.add('has-errors');
  if (fresh.has(t.traceId)) tr.classList.add('fresh');
  const services = t.services.length > 1 ? `${t.rootService || t.services[0]} +${t.services.length - 1}` : t.services[0] ?? '';
  const svc = cell('td', services);
  svc.title = t.services.join(', ');
  tr.append(
    cell('td', formatStart(t.startMs)),
    svc,
    cell('td', t.rootName || '(root not received yet)'),
    cell('td', formatDuration(t.durationMs), 'num'),
    cell('td', String(t.spanCount), 'num'),
    cell('td', String(t.errorCount), 'num errors'),
  );
  tr.addEventListener('click', () => openTrace(t.traceId));
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openTrace(t.traceId);
    }
  });
  return tr;
}

let renderQueued = false;
function render() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    const list = [...traces.values()].filter(matches).sort((a, b) => b.startMs - a.startMs).slice(0, 200);
    $('traces').replaceChildren(...list.map(row));
    $('empty').hidden = list.length > 0;
    fresh.clear();
  });
}

/** @param {string[]} names */
function renderServices(names) {
  const select = $('service');
  const current = select.value;
  const known = new Set([...select.options].map((/** @type {HTMLOptionElement} */ o) => o.value));
  for (const name of names) {
    if (known.has(name)) continue;
    const o = document.createElement('option');
    o.value = name;
    o.textContent = name;
    select.append(o);
  }
  select.value = current;
}

/** Never rejects: while the receiver is unreachable the stream's state says so, and it reloads on reconnect. */
async function loadList() {
  const f = filters();
  const q = new URLSearchParams({ limit: '200' });
  if (f.service) q.set('service', f.service);
  if (f.errors) q.set('errors', '1');
  let list, services;
  try {
    [list, services] = await Promise.all([
      fetch(`${RECEIVER}/api/traces?${q}`).then((r) => r.json()),
      fetch(`${RECEIVER}/api/services`).then((r) => r.json()),
    ]);
  } catch {
    return;
  }
  traces.clear();
  for (const t of list.traces) traces.set(t.traceId, t);
  renderServices(services.services);
  render();
}

/** @param {string} id */
async function openTrace(id) {
  const res = await fetch(`${RECEIVER}/api/traces/${id}`).catch(() => undefined);
  // Said next to the list: the detail pane (and its status) may not be shown yet.
  if (!res?.ok) {
    $('notice').textContent = res ? `Trace ${id} not found.` : `Trace ${id}: the receiver is not answering.`;
    return;
  }
  $('notice').textContent = '';
  const json = await res.json();
  open = { id, json };
  history.replaceState(null, '', `#trace=${id}`);
  $('detail').hidden = false;
  $('trace-id').textContent = id;
  $('refresh').hidden = true;
  $('load-status').textContent = 'loading…';
  for (const tr of $('traces').children) tr.setAttribute('aria-selected', String(tr.dataset.traceId === id));
  $('viewer').load(json);
}

/** @param {string} filename @param {unknown} data */
function download(filename, data) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

$('viewer').addEventListener('spanbeam-load', (/** @type {CustomEvent} */ e) => {
  // detail: { format, slices, counters, instants, flows, tracks, groups, diagnostics }
  const d = e.detail;
  $('load-status').textContent = `${d.slices} spans (${d.format})`;
});
$('viewer').addEventListener('spanbeam-error', (/** @type {CustomEvent} */ e) => {
  $('load-status').textContent = `could not open: ${e.detail?.message ?? 'unknown error'}`;
});
$('download-otlp').addEventListener('click', () => open && download(`trace-${open.id}.otlp.json`, open.json));
$('download-chrome').addEventListener('click', () => open && download(`trace-${open.id}.chrome.json`, toChromeTrace(spansFromOtlp(open.json))));
$('refresh').addEventListener('click', () => open && openTrace(open.id));
$('service').addEventListener('change', () => void loadList());
$('errors').addEventListener('change', () => void loadList());

function connect() {
  const live = $('live');
  const stream = new EventSource(`${RECEIVER}/api/stream`);
  stream.addEventListener('open', () => {
    live.dataset.state = 'open';
    live.textContent = 'live';
    // On every (re)connect: what arrived while the stream was down (or before it opened) is listed.
    void loadList().then(() => {
      if (wanted && !open) void openTrace(wanted);
      wanted = undefined;
    });
  });
  stream.addEventListener('error', () => {
    live.dataset.state = 'closed';
    live.textContent = 'reconnecting…';
  });
  stream.addEventListener('trace', (e) => {
    /** @type {Summary} */
    const t = JSON.parse(/** @type {MessageEvent} */ (e).data);
    traces.set(t.traceId, t);
    fresh.add(t.traceId);
    renderServices(t.services);
    if (open?.id === t.traceId) $('refresh').hidden = false;
    render();
  });
}

/** The trace a `#trace=` link asks for, opened once the receiver answers. */
let wanted = /^#trace=([0-9a-f]{32})$/.exec(location.hash)?.[1];
connect();
