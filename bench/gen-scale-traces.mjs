/**
 * Synthetic traces for the viewer scale audit (bench/viewer-scale.mjs):
 * - an OTLP trace of ~100k spans in one trace: two subtrees of 50k descendants each (a sequential
 *   fan-out of fan-outs), a span with 10k attributes and one with a 1 MB string attribute;
 * - a Chrome trace with N flows (v2 bind_id/flow_out/flow_in between two threads).
 *   node bench/gen-scale-traces.mjs <dir>
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const hex = (n, w) => n.toString(16).padStart(w, '0');
const attr = (key, v) => (typeof v === 'number' ? { key, value: { intValue: String(v) } } : { key, value: { stringValue: v } });

/** OTLP JSON text: ~100k spans, one trace, 4 services. */
export function otlpTrace({ fanA = 250, perA = 199, fanB = 1000, perB = 49 } = {}) {
  const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const t0 = 1_700_000_000_000_000_000n;
  const ms = 1_000_000n;
  const bySvc = new Map();
  let next = 1;
  const span = (svc, name, parent, startMs, durMs, attributes = []) => {
    const id = hex(next++, 16);
    const s = {
      traceId,
      spanId: id,
      ...(parent ? { parentSpanId: parent } : {}),
      name,
      kind: 2,
      startTimeUnixNano: String(t0 + BigInt(Math.round(startMs * 1000)) * (ms / 1000n)),
      endTimeUnixNano: String(t0 + BigInt(Math.round((startMs + durMs) * 1000)) * (ms / 1000n)),
      attributes,
      status: {},
    };
    if (!bySvc.has(svc)) bySvc.set(svc, []);
    bySvc.get(svc).push(s);
    return id;
  };
  const root = span('frontend', 'GET /big', null, 0, 100_000, [attr('http.method', 'GET')]);
  const many = [];
  for (let i = 0; i < 10_000; i++) many.push(attr(`attr.${i}`, `value ${i}`));
  span('frontend', 'huge attributes', root, 1, 5, many);
  span('frontend', 'big string', root, 2, 5, [attr('payload', 'x'.repeat(1 << 20))]);
  // A: fanA items, each with perA queries: fanA * (perA + 1) descendants.
  const a = span('orders', 'batch A', root, 10, 49_980);
  const itemA = 49_980 / fanA;
  for (let i = 0; i < fanA; i++) {
    const s = 10 + i * itemA;
    const it = span('orders', `item ${i}`, a, s, itemA * 0.99, [attr('item.id', i)]);
    const q = (itemA * 0.98) / perA;
    for (let k = 0; k < perA; k++) span('db', `SELECT * FROM items WHERE id = ${i * 1000 + k}`, it, s + k * q, q * 0.9, [attr('db.system', 'postgresql'), attr('row', k)]);
  }
  const b = span('billing', 'batch B', root, 50_000, 49_990);
  const itemB = 49_990 / fanB;
  for (let i = 0; i < fanB; i++) {
    const s = 50_000 + i * itemB;
    const it = span('billing', `charge ${i}`, b, s, itemB * 0.99);
    const q = (itemB * 0.98) / perB;
    for (let k = 0; k < perB; k++) span('db', `UPDATE ledger SET n = ${k}`, it, s + k * q, q * 0.9);
  }
  const resourceSpans = [...bySvc].map(([svc, spans]) => ({
    resource: { attributes: [attr('service.name', svc)] },
    scopeSpans: [{ scope: { name: 'gen' }, spans }],
  }));
  return { text: JSON.stringify({ resourceSpans }), spans: next - 1 };
}

/** Chrome JSON text with `flows` flows between two threads (each a flow_out slice → a flow_in slice). */
export function chromeFlows(flows) {
  const ev = [
    '{"ph":"M","pid":1,"tid":1,"ts":0,"name":"thread_name","args":{"name":"sender"}}',
    '{"ph":"M","pid":1,"tid":2,"ts":0,"name":"thread_name","args":{"name":"receiver"}}',
  ];
  for (let i = 0; i < flows; i++) {
    const ts = i * 10;
    ev.push(`{"ph":"X","pid":1,"tid":1,"ts":${ts},"dur":4,"name":"post","cat":"c","bind_id":"0x${i.toString(16)}","flow_out":true}`);
    ev.push(`{"ph":"X","pid":1,"tid":2,"ts":${ts + 5},"dur":4,"name":"run","cat":"c","bind_id":"0x${i.toString(16)}","flow_in":true}`);
  }
  return `{"traceEvents":[\n${ev.join(',\n')}\n]}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? '.';
  const o = otlpTrace();
  writeFileSync(join(dir, 'otlp-100k.json'), o.text);
  console.log(`otlp-100k.json: ${o.spans} spans, ${(o.text.length / 1e6).toFixed(1)} MB`);
  writeFileSync(join(dir, 'flows-100k.json'), chromeFlows(100_000));
  console.log('flows-100k.json: 100000 flows');
}
