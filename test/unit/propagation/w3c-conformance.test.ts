// W3C Trace Context (Level 1 and 2) and W3C Baggage, clause by clause, against a node:http backend
// built on spanbeam/propagation the way a backend team would: it continues the caller's trace with
// the SDK's tracer and calls a downstream service, forwarding the caller's headers (a BFF / proxy)
// with the trace headers injected. The cases follow the w3c/trace-context test suite (test/test.py,
// STRICT_LEVEL 2, SPEC_LEVEL 2); the quoted text is the specification's.
import { createServer, request } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBaggage, extractContext, injectBaggage, injectContext } from '../../../src/propagation/index';
import { SpanKind, Tracer, TracerProvider } from '../../../src/sdk/index';

const provider = new TracerProvider();
provider.configure({ serviceName: 'w3c-test-service', session: false });
const tracer = new Tracer({ name: 'w3c-test-service' }, provider);

/** The service under test: what it would send downstream, as JSON. */
function service(req: IncomingMessage, res: ServerResponse): void {
  const parent = extractContext(req.headers);
  const span = tracer.startSpan('POST /test', { kind: SpanKind.SERVER, parent: parent ?? null });
  const downstream: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name !== 'host' && name !== 'connection' && value !== undefined) downstream[name] = value;
  }
  injectContext(span.spanContext(), downstream);
  injectBaggage(extractBaggage(req.headers), downstream);
  span.end();
  res.end(JSON.stringify(downstream));
}

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer(service);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends header lines exactly as given (names, casing, repeats) and returns the downstream headers. */
function send(lines: Array<[string, string]>): Promise<Record<string, string | string[]>> {
  return new Promise((resolve, reject) => {
    const headers = [['host', '127.0.0.1'], ...lines] as unknown as OutgoingHttpHeaders;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/test', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body) as Record<string, string | string[]>));
    });
    req.on('error', reject);
    req.end();
  });
}

// The harness side, strict as the test suite: exactly one version-00 traceparent; every tracestate
// member well formed (a malformed one fails the test, as the suite's parser raises on it).
interface Sent {
  version: string;
  traceId: string;
  parentId: string;
  flags: number;
  tracestate: Map<string, string>;
}

function received(headers: Record<string, string | string[]>): Sent {
  const lines = (name: string) =>
    Object.entries(headers)
      .filter(([k]) => k.toLowerCase() === name)
      .flatMap(([, v]) => (Array.isArray(v) ? v : [v]));
  const traceparents = lines('traceparent');
  expect(traceparents, 'exactly one traceparent').toHaveLength(1);
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparents[0]);
  expect(m, `traceparent ${traceparents[0]}`).not.toBeNull();
  expect(m![2]).not.toBe('0'.repeat(32));
  expect(m![3]).not.toBe('0'.repeat(16));
  const tracestate = new Map<string, string>();
  for (const line of lines('tracestate')) {
    for (const member of line.split(/[ \t]*,[ \t]*/)) {
      if (member === '') continue;
      const kv = /^([0-9a-z][_0-9a-z*/@-]{0,255})=([ -+\--<>-~]{0,255}[!-+\--<>-~])$/.exec(member);
      if (!kv) throw new Error(`the service sent a malformed tracestate member ${JSON.stringify(member)}`);
      if (!tracestate.has(kv[1])) tracestate.set(kv[1], kv[2]);
    }
  }
  return { version: m![1], traceId: m![2], parentId: m![3], flags: parseInt(m![4], 16), tracestate };
}

const call = async (lines: Array<[string, string]>) => received(await send(lines));

const TID = '12345678901234567890123456789012';
const PID = '1234567890123456';
const TP = `00-${TID}-${PID}-00`;

describe('traceparent', () => {
  // "A vendor receiving a request without a traceparent header SHOULD generate traceparent headers
  // for outbound requests, effectively starting a new trace."
  it('starts a trace when there is none', async () => {
    const out = await call([]);
    expect(out.version).toBe('00');
    expect(out.tracestate.size).toBe(0);
  });

  // "Update parent-id: ... This is the most typical mutation and should be considered a default."
  it('continues a valid traceparent with a new parent-id', async () => {
    const out = await call([['traceparent', `00-${TID}-${PID}-01`]]);
    expect(out.traceId).toBe(TID);
    expect(out.parentId).not.toBe(PID);
    expect(out.flags & 1).toBe(1);
  });

  // RFC 9110 §5.3 makes two traceparent lines one value, "a, b", which is no traceparent.
  it('restarts the trace for two traceparent headers', async () => {
    const out = await call([
      ['traceparent', `00-${TID.slice(0, 31)}1-${PID}-01`],
      ['traceparent', `00-${TID}-${PID}-01`],
    ]);
    expect(out.traceId).not.toBe(`${TID.slice(0, 31)}1`);
    expect(out.traceId).not.toBe(TID);
  });

  // "The header name is ASCII case-insensitive. ... The header name is a single word; it does not
  // contain any delimiters such as a hyphen."
  it('reads the header name case-insensitively, and only that name', async () => {
    for (const name of ['TraceParent', 'TrAcEpArEnT', 'TRACEPARENT']) {
      expect((await call([[name, `00-${TID}-${PID}-01`]])).traceId, name).toBe(TID);
    }
    for (const name of ['trace-parent', 'trace.parent']) {
      const headers = await send([[name, `00-${TID}-${PID}-01`]]);
      expect(received(headers).traceId, name).not.toBe(TID);
    }
  });

  // "The following version-format definition is used for version 00" (exactly four fields), and
  // "If a higher version is detected, the implementation SHOULD try to parse it ... Vendors MUST
  // check that the 2 characters are either at the end of the string or followed by a dash."
  it.each([
    ['continues', `cc-${TID}-${PID}-01`],
    ['continues', `cc-${TID}-${PID}-01-what-the-future-will-be-like`],
    ['restarts', `cc-${TID}-${PID}-01.what-the-future-will-be-like`],
    ['restarts', `00-${TID}-${PID}-01.`],
    ['restarts', `00-${TID}-${PID}-01-what-the-future-will-be-like`],
  ])('%s for %s', async (what, value) => {
    const out = await call([['traceparent', value]]);
    // "Vendors MUST use these fields to construct the new traceparent field according to the
    // highest version of the specification known to the implementation"
    expect(out.version).toBe('00');
    if (what === 'continues') expect(out.traceId).toBe(TID);
    else expect(out.traceId).not.toBe(TID);
  });

  // "Version 255 ("ff") is invalid."; "If the trace-id value is invalid (for example if it contains
  // non-allowed characters or all zeros), vendors MUST ignore the entire header."; "Vendors MUST
  // ignore the traceparent when the parent-id is invalid"; HEXDIGLC and exact field lengths.
  it.each([
    `ff-${TID}-${PID}-01`,
    `.0-${TID}-${PID}-01`,
    `0.-${TID}-${PID}-01`,
    `000-${TID}-${PID}-01`,
    `0000-${TID}-${PID}-01`,
    `0-${TID}-${PID}-01`,
    `00-${'0'.repeat(32)}-${PID}-01`,
    `00-.${TID.slice(1)}-${PID}-01`,
    `00-${TID.slice(0, 31)}.-${PID}-01`,
    `00-${TID}3-${PID}-01`,
    `00-${TID.slice(1)}-${PID}-01`,
    `00-${TID.replace(/1/g, 'A')}-${PID}-01`,
    `00-${TID}-${'0'.repeat(16)}-01`,
    `00-${TID}-.${PID.slice(1)}-01`,
    `00-${TID}-${PID.slice(0, 15)}.-01`,
    `00-${TID}-${PID}7-01`,
    `00-${TID}-${PID.slice(1)}-01`,
    `00-${TID}-${PID}-.0`,
    `00-${TID}-${PID}-0.`,
    `00-${TID}-${PID}-0A`,
    `00-${TID}-${PID}-001`,
    `00-${TID}-${PID}-1`,
  ])('restarts for %s', async (value) => {
    const out = await call([['traceparent', value], ['tracestate', 'foo=1']]);
    expect(out.traceId).not.toBe(TID);
    expect(out.traceId).not.toBe('0'.repeat(32));
    expect(out.tracestate.size).toBe(0);
  });

  it.each([` ${TP}`, `\t${TP}`, `${TP} `, `${TP}\t`, `\t ${TP} \t`])('ignores OWS around %j', async (value) => {
    expect((await call([['traceparent', value]])).traceId).toBe(TID);
  });

  // Level 2: "If the flag is set in the incoming traceparent header, it MUST also be set in all
  // outgoing traceparent headers which use the same trace-id." (and unset when it was unset); "When
  // at least the right-most 7 bytes of the trace-id are randomly (or pseudo-randomly) generated,
  // the random-trace-id flag SHOULD be set to 1." The SDK's trace ids are random.
  it('keeps the random flag of a continued trace and sets it on a new one', async () => {
    expect((await call([['traceparent', `00-${TID}-${PID}-02`]])).flags & 2).toBe(2);
    expect((await call([['traceparent', `00-${TID}-${PID}-01`]])).flags & 2).toBe(0);
    expect((await call([])).flags & 2).toBe(2);
  });

  // "The behavior of other flags, such as (00000100) is not defined and is reserved for future
  // use. Vendors MUST set those to zero."
  it('sends reserved flags as zero', async () => {
    expect((await call([['traceparent', `00-${TID}-${PID}-ff`]])).flags).toBe(3);
  });
});

describe('tracestate', () => {
  // "If the vendor failed to parse traceparent, it MUST NOT attempt to parse tracestate." and
  // "Restart trace: ... Vendors SHOULD clean up tracestate collection on traceparent restart."
  // The forwarded copy of the caller's tracestate must not go out beside a new trace's traceparent.
  it('is discarded when traceparent is missing or invalid', async () => {
    expect((await call([['tracestate', 'foo=1']])).tracestate.size).toBe(0);
    expect((await call([['tracestate', 'foo=1,bar=2']])).tracestate.size).toBe(0);
    expect((await call([['traceparent', `00-${'0'.repeat(32)}-${PID}-01`], ['tracestate', 'foo=1']])).tracestate.size).toBe(0);
  });

  // "Vendors receiving a tracestate request header MUST send it to outgoing requests."
  it('is inherited with traceparent, under any casing of its name, and only that name', async () => {
    expect([...(await call([['traceparent', TP], ['tracestate', 'foo=1,bar=2']])).tracestate]).toEqual([['foo', '1'], ['bar', '2']]);
    for (const name of ['TraceState', 'TrAcEsTaTe', 'TRACESTATE']) {
      expect((await call([['traceparent', TP], [name, 'foo=1']])).tracestate.get('foo'), name).toBe('1');
    }
    for (const name of ['trace-state', 'trace.state']) {
      expect((await call([['traceparent', TP], [name, 'foo=1']])).tracestate.has('foo'), name).toBe(false);
    }
  });

  // "Vendors MUST accept empty tracestate headers but SHOULD avoid sending them."
  it('accepts empty headers and does not send one', async () => {
    const headers = await send([['traceparent', TP], ['tracestate', '']]);
    expect(received(headers).traceId).toBe(TID);
    expect(headers.tracestate).toBeUndefined();
    expect((await call([['traceparent', TP], ['tracestate', 'foo=1'], ['tracestate', '']])).tracestate.get('foo')).toBe('1');
    expect((await call([['traceparent', TP], ['tracestate', ''], ['tracestate', 'foo=1']])).tracestate.get('foo')).toBe('1');
  });

  // "When receiving multiple tracestate header fields, they MUST be combined into a single header
  // according to RFC9110."
  it('combines multiple headers in order', async () => {
    const out = await call([['traceparent', TP], ['tracestate', 'foo=1,bar=2'], ['tracestate', 'rojo=1,congo=2'], ['tracestate', 'baz=3']]);
    expect([...out.tracestate.keys()]).toEqual(['foo', 'bar', 'rojo', 'congo', 'baz']);
  });

  // "Vendors MAY also discard duplicate keys that were not generated by them." We keep the
  // left-most (the most recent position) and the rest of the header.
  it('keeps one of duplicated keys and the rest', async () => {
    expect((await call([['traceparent', TP], ['tracestate', 'foo=1,foo=2']])).tracestate.get('foo')).toBe('1');
    expect((await call([['traceparent', TP], ['tracestate', 'foo=1'], ['tracestate', 'foo=2'], ['tracestate', 'bar=3']])).tracestate).toEqual(
      new Map([['foo', '1'], ['bar', '3']]),
    );
  });

  // key = ( lcalpha / DIGIT ) 0*255 ( keychar ); keychar = lcalpha / DIGIT / "_" / "-"/ "*" / "/" / "@"
  // value: "printable ASCII ... (i.e., the range 0x20 to 0x7E) except comma (,) and (=)"
  it('passes every allowed character on', async () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    let value = '';
    for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) value += String.fromCharCode(c);
    expect((await call([['traceparent', TP], ['tracestate', `${key}=${value}`]])).tracestate.get(key)).toBe(value);
    expect((await call([['traceparent', TP], ['tracestate', `${key}@a-z0-9_-*/=${value}`]])).tracestate.get(`${key}@a-z0-9_-*/`)).toBe(value);
  });

  // "Spaces and horizontal tabs surrounding list-members are ignored." "All leading spaces MUST be
  // preserved as part of the value. All trailing spaces are considered to be optional whitespace"
  it('ignores OWS around members and keeps leading spaces of values', async () => {
    for (const value of ['foo=1 \t , \t bar=2, \t baz=3', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3']) {
      expect((await call([['traceparent', TP], ['tracestate', value]])).tracestate).toEqual(new Map([['foo', '1'], ['bar', '2'], ['baz', '3']]));
    }
    for (const value of [' foo=1', '\tfoo=1', 'foo=1 ', 'foo=1\t', '\t foo=1 \t']) {
      expect((await call([['traceparent', TP], ['tracestate', value]])).tracestate.get('foo'), JSON.stringify(value)).toBe('1');
    }
    expect((await call([['traceparent', TP], ['tracestate', 'foo=  1']])).tracestate.get('foo')).toBe('  1');
  });

  // A header that breaks the grammar is not passed on: the key grammar, "up to 256 characters",
  // the value grammar, and "There can be a maximum of 32 list-members in a list."
  it.each([
    ['a key with a space', 'foo =1'],
    ['an uppercase key', 'FOO=1'],
    ['a dotted key', 'foo.bar=1'],
    ['a key starting with @', '@foo=1,bar=2'],
    ['a 257-character key', `foo=1,${'z'.repeat(257)}=1`],
    ['an = in a value', 'foo=bar=baz'],
    ['an empty value', 'foo=,bar=3'],
    ['33 members', Array.from({ length: 33 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=1`).join(',')],
  ])('drops a tracestate with %s, keeping traceparent', async (_what, value) => {
    // "failure to parse tracestate MUST NOT affect the parsing of traceparent"
    const out = await call([['traceparent', TP], ['tracestate', value]]);
    expect(out.traceId).toBe(TID);
    expect(out.tracestate.size).toBe(0);
  });

  it('passes Level 2 keys and 32 members across headers on', async () => {
    for (const key of ['foo@', 'foo@@bar', 'foo@bar@baz', 'z'.repeat(256), `${'t'.repeat(241)}@${'v'.repeat(14)}`, `${'t'.repeat(242)}@v`, `t@${'v'.repeat(15)}`]) {
      const out = await call([['traceparent', TP], ['tracestate', 'foo=1'], ['tracestate', `${key}=1,bar=2`]]);
      expect(out.tracestate.get(key), key).toBe('1');
      expect(out.tracestate.get('bar'), key).toBe('2');
    }
    const m = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => `bar${String(a + i).padStart(2, '0')}=${a + i}`).join(',');
    const out = await call([['traceparent', TP], ['tracestate', m(1, 10)], ['tracestate', m(11, 20)], ['tracestate', m(21, 30)], ['tracestate', m(31, 32)]]);
    expect(out.tracestate.size).toBe(32);
  });
});

describe('several downstream calls', () => {
  it('share the trace id with distinct parent ids', async () => {
    const outs = await Promise.all([1, 2, 3].map(() => call([['traceparent', `00-${TID}-${PID}-01`]])));
    expect(new Set(outs.map((o) => o.traceId))).toEqual(new Set([TID]));
    expect(new Set(outs.map((o) => o.parentId)).size).toBe(3);
  });
});

describe('baggage through the service', () => {
  // "A received header MAY be altered to change or add information and it SHOULD be passed on to
  // all downstream requests." Values are percent-decoded and encoded again; properties are kept;
  // a malformed member is skipped and the others are passed on.
  it('passes valid members on, decoded and encoded again, with their properties', async () => {
    const headers = await send([['traceparent', TP], ['baggage', 'userId = Am%C3%A9lie ; p ;q=1'], ['Baggage', 'bad key=1, serverNode=DF%2028']]);
    expect(headers.baggage).toBe('userId=Am%C3%A9lie;p;q=1,serverNode=DF%2028');
  });
});
