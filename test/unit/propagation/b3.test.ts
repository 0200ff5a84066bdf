import { describe, expect, it } from 'vitest';
import { b3Multi, b3Single, parseB3Multi, parseB3Single } from '../../../src/propagation/index';

const TID = '80f198ee56343ba864fe8b2a57d3eff7';
const SID = 'e457b5a2e4d86bd1';
const PID = '05e3ac9a4f6e3b90';

describe('b3 single header', () => {
  it('parses all documented forms', () => {
    expect(parseB3Single(`${TID}-${SID}-1-${PID}`)).toEqual({ traceId: TID, spanId: SID, sampling: '1', parentSpanId: PID });
    expect(parseB3Single(`${TID}-${SID}-d`)).toEqual({ traceId: TID, spanId: SID, sampling: 'd' });
    expect(parseB3Single(`${TID}-${SID}`)).toEqual({ traceId: TID, spanId: SID });
    expect(parseB3Single('0')).toEqual({ sampling: '0' });
    expect(parseB3Single('d')).toEqual({ sampling: 'd' });
  });

  it('extracts sampled for 1 and d, not sampled for 0 and deferred', () => {
    expect(b3Single.extract({ b3: `${TID}-${SID}-1` })).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
    expect(b3Single.extract({ b3: `${TID}-${SID}-d-${PID}` })?.traceFlags).toBe(1);
    expect(b3Single.extract({ b3: `${TID}-${SID}-0` })?.traceFlags).toBe(0);
    expect(b3Single.extract({ b3: `${TID}-${SID}` })?.traceFlags).toBe(0);
  });

  it('left-pads 64-bit trace ids and lowercases', () => {
    expect(b3Single.extract({ B3: `64FE8B2A57D3EFF7-${SID.toUpperCase()}-1` })).toMatchObject({
      traceId: '000000000000000064fe8b2a57d3eff7',
      spanId: SID,
    });
  });

  it.each([
    ['sampling only', '1'],
    ['bad sampling', `${TID}-${SID}-2`],
    ['bad trace id length', `${TID.slice(1)}-${SID}-1`],
    ['48-bit trace id', `${TID.slice(0, 12)}-${SID}-1`],
    ['bad span id', `${TID}-${SID.slice(1)}-1`],
    ['all-zero trace id', `${'0'.repeat(32)}-${SID}-1`],
    ['all-zero span id', `${TID}-${'0'.repeat(16)}-1`],
    ['non-hex', `${TID.replace('8', 'g')}-${SID}-1`],
    ['bad parent', `${TID}-${SID}-1-xyz`],
    ['too many fields', `${TID}-${SID}-1-${PID}-x`],
    ['empty', ''],
  ])('extracts nothing from %s', (_n, value) => {
    expect(b3Single.extract({ b3: value })).toBeUndefined();
  });

  it('parses nothing from a header with one bad id, and extracts nothing (no throw) without a header', () => {
    expect(parseB3Single(`${TID}-nope`)).toBeUndefined();
    expect(parseB3Single(`nope-${SID}`)).toBeUndefined();
    expect(parseB3Single(undefined)).toBeUndefined();
    expect(b3Single.extract({})).toBeUndefined();
  });

  it('injects and round-trips', () => {
    const carrier: Record<string, string> = {};
    b3Single.inject({ traceId: TID, spanId: SID, traceFlags: 3 }, carrier);
    expect(carrier).toEqual({ b3: `${TID}-${SID}-1` });
    expect(b3Single.extract(carrier)).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
    b3Single.inject({ traceId: TID, spanId: SID, traceFlags: 0 }, carrier);
    expect(carrier.b3).toBe(`${TID}-${SID}-0`);
    const none: Record<string, string> = {};
    b3Single.inject({ traceId: '0'.repeat(32), spanId: SID, traceFlags: 1 }, none);
    expect(none).toEqual({});
  });
});

describe('b3 multi header', () => {
  it('extracts with any header casing', () => {
    const h = new Headers({ 'X-B3-TraceId': TID, 'X-B3-SpanId': SID, 'X-B3-ParentSpanId': PID, 'X-B3-Sampled': '1' });
    expect(b3Multi.extract(h)).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
  });

  it('reads sampled 0/1/true/false and debug flags', () => {
    const base = { 'x-b3-traceid': TID, 'x-b3-spanid': SID };
    expect(b3Multi.extract({ ...base, 'x-b3-sampled': '0' })?.traceFlags).toBe(0);
    expect(b3Multi.extract({ ...base, 'x-b3-sampled': 'true' })?.traceFlags).toBe(1);
    expect(b3Multi.extract({ ...base, 'x-b3-sampled': 'false' })?.traceFlags).toBe(0);
    expect(b3Multi.extract({ ...base, 'x-b3-flags': '1' })?.traceFlags).toBe(1);
    expect(b3Multi.extract({ ...base, 'x-b3-flags': '1', 'x-b3-sampled': '0' })?.traceFlags).toBe(1);
    expect(b3Multi.extract(base)?.traceFlags).toBe(0);
  });

  it('pads 64-bit trace ids', () => {
    expect(b3Multi.extract({ 'x-b3-traceid': '64fe8b2a57d3eff7', 'x-b3-spanid': SID })?.traceId).toBe('000000000000000064fe8b2a57d3eff7');
  });

  it('extracts nothing when ids are missing or bad', () => {
    expect(b3Multi.extract({ 'x-b3-traceid': TID })).toBeUndefined();
    expect(b3Multi.extract({ 'x-b3-spanid': SID })).toBeUndefined();
    expect(b3Multi.extract({ 'x-b3-traceid': TID, 'x-b3-spanid': 'nope' })).toBeUndefined();
    expect(b3Multi.extract({ 'x-b3-sampled': '1' })).toBeUndefined();
    expect(b3Multi.extract({ 'x-b3-traceid': [TID, TID], 'x-b3-spanid': SID })).toBeUndefined();
  });

  it('parses the parent span id and the sampling state as sent', () => {
    const base = { 'x-b3-traceid': TID, 'x-b3-spanid': SID };
    expect(parseB3Multi({ ...base, 'x-b3-parentspanid': PID, 'x-b3-sampled': '1' })).toEqual({ traceId: TID, spanId: SID, parentSpanId: PID, sampling: '1' });
    expect(parseB3Multi({ ...base, 'X-B3-ParentSpanId': 'nope' })).toEqual({ traceId: TID, spanId: SID });
    expect(parseB3Multi({ ...base, 'x-b3-sampled': '0' })?.sampling).toBe('0');
    expect(parseB3Multi({ ...base, 'x-b3-sampled': 'False' })?.sampling).toBe('0');
    expect(parseB3Multi({ ...base, 'x-b3-sampled': 'maybe' })).toEqual({ traceId: TID, spanId: SID });
    // A sampling decision alone (no ids) is valid B3, as `b3: 1` is.
    expect(parseB3Multi({ 'x-b3-sampled': '1' })).toEqual({ sampling: '1' });
  });

  it('parses nothing when an id that is present is missing its pair or malformed', () => {
    expect(parseB3Multi({ 'x-b3-traceid': TID })).toBeUndefined();
    expect(parseB3Multi({ 'x-b3-spanid': SID })).toBeUndefined();
    expect(parseB3Multi({ 'x-b3-traceid': TID, 'x-b3-spanid': 'nope' })).toBeUndefined();
    expect(parseB3Multi({ 'x-b3-traceid': 'nope', 'x-b3-spanid': SID })).toBeUndefined();
  });

  it('injects nothing for an invalid context', () => {
    const h: Record<string, string> = {};
    b3Multi.inject({ traceId: '0'.repeat(32), spanId: SID, traceFlags: 1 }, h);
    b3Multi.inject({ traceId: TID, spanId: 'nope', traceFlags: 1 }, h);
    expect(h).toEqual({});
  });

  it('injects and round-trips', () => {
    const h = new Headers();
    b3Multi.inject({ traceId: TID, spanId: SID, traceFlags: 1 }, h);
    expect(h.get('x-b3-traceid')).toBe(TID);
    expect(h.get('x-b3-spanid')).toBe(SID);
    expect(h.get('x-b3-sampled')).toBe('1');
    expect(b3Multi.extract(h)).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
    expect(b3Multi.fields).toContain('x-b3-traceid');
  });

  it("injecting into headers copied from the incoming request drops the caller's parent id and debug flag", () => {
    // A proxy forwarding `{ ...req.headers }` downstream: those two describe the caller's span.
    const h: Record<string, string> = { 'X-B3-TraceId': TID, 'X-B3-SpanId': PID, 'X-B3-ParentSpanId': 'a'.repeat(16), 'X-B3-Flags': '1', accept: '*/*' };
    b3Multi.inject({ traceId: TID, spanId: SID, traceFlags: 1 }, h);
    expect(h).toEqual({ 'x-b3-traceid': TID, 'x-b3-spanid': SID, 'x-b3-sampled': '1', accept: '*/*' });
  });
});
