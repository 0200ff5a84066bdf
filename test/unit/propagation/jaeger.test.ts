import { describe, expect, it } from 'vitest';
import { extractJaegerBaggage, injectJaegerBaggage, jaeger, parseJaegerHeader } from '../../../src/propagation/index';

const TID = '80f198ee56343ba864fe8b2a57d3eff7';
const SID = 'e457b5a2e4d86bd1';

describe('jaeger uber-trace-id', () => {
  it('parses the four fields', () => {
    expect(parseJaegerHeader(`${TID}:${SID}:0:1`)).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
    expect(parseJaegerHeader(`${TID}:${SID}:05e3ac9a4f6e3b90:00`)?.traceFlags).toBe(0);
  });

  it('accepts a zero parent span id written with leading zeros (OpenTelemetry Python sends 16 zeros)', () => {
    for (const parent of ['0', '00', '0000000000000000']) {
      expect(parseJaegerHeader(`${TID}:${SID}:${parent}:03`), parent).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
    }
    expect(parseJaegerHeader(`${TID}:${SID}:${'0'.repeat(17)}:1`)).toBeUndefined();
  });

  it('left-pads short ids and lowercases', () => {
    expect(parseJaegerHeader('ABC:1f:0:1')).toMatchObject({ traceId: '0'.repeat(29) + 'abc', spanId: '0'.repeat(14) + '1f' });
    expect(parseJaegerHeader('f:1:0:1')).toMatchObject({ traceId: '0'.repeat(31) + 'f', spanId: '0'.repeat(15) + '1' });
    expect(parseJaegerHeader('F09:A:0:1')).toMatchObject({ traceId: '0'.repeat(29) + 'f09', spanId: '0'.repeat(15) + 'a' });
  });

  it('maps debug to sampled and ignores other bits', () => {
    expect(parseJaegerHeader(`${TID}:${SID}:0:2`)?.traceFlags).toBe(1);
    expect(parseJaegerHeader(`${TID}:${SID}:0:3`)?.traceFlags).toBe(1);
    expect(parseJaegerHeader(`${TID}:${SID}:0:8`)?.traceFlags).toBe(0);
  });

  it('reads flags as hex, in either case', () => {
    const flags = { f: 1, F: 1, B: 1, '0b': 1, '10': 0, '12': 1, '11': 1 };
    for (const [text, sampled] of Object.entries(flags)) expect(parseJaegerHeader(`${TID}:${SID}:0:${text}`)?.traceFlags, text).toBe(sampled);
  });

  it('accepts an uppercase parent span id, as the other ids', () => {
    expect(parseJaegerHeader(`${TID}:${SID}:05E3AC9A4F6E3B90:1`)?.spanId).toBe(SID);
  });

  it('accepts a URL-encoded value', () => {
    expect(parseJaegerHeader(`${TID}%3A${SID}%3A0%3A1`)?.spanId).toBe(SID);
  });

  it.each([
    ['three fields', `${TID}:${SID}:1`],
    ['five fields', `${TID}:${SID}:0:1:x`],
    ['trace id too long', `${TID}0:${SID}:0:1`],
    ['span id too long', `${TID}:${SID}0:0:1`],
    ['zero trace id', `0:${SID}:0:1`],
    ['zero span id', `${TID}:0000:0:1`],
    ['empty trace id', `:${SID}:0:1`],
    ['a trace id with @ (just below A)', `@bc:${SID}:0:1`],
    ['a span id with G (just above F)', `${TID}:1G:0:1`],
    ['a span id with / (just below 0)', `${TID}:1/:0:1`],
    ['bad flags', `${TID}:${SID}:0:x`],
    ['flags too long', `${TID}:${SID}:0:001`],
    ['empty flags', `${TID}:${SID}:0:`],
    ['bad parent', `${TID}:${SID}:zz:1`],
    ['empty parent', `${TID}:${SID}::1`],
    ['flags with a trailing non-hex character', `${TID}:${SID}:0:1x`],
    ['flags with a leading non-hex character', `${TID}:${SID}:0:x1`],
    ['a broken %-escape', `${TID}:${SID}:0:1%`],
  ])('rejects %s', (_n, v) => {
    expect(parseJaegerHeader(v)).toBeUndefined();
  });

  it('injects and round-trips', () => {
    const carrier: Record<string, string> = {};
    jaeger.inject({ traceId: TID, spanId: SID, traceFlags: 3 }, carrier);
    expect(carrier).toEqual({ 'uber-trace-id': `${TID}:${SID}:0:01` });
    expect(jaeger.extract(new Headers(carrier))).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
    jaeger.inject({ traceId: TID, spanId: SID, traceFlags: 0 }, carrier);
    expect(carrier['uber-trace-id']).toBe(`${TID}:${SID}:0:00`);
  });

  it('injects nothing for an invalid context', () => {
    const carrier: Record<string, string> = {};
    jaeger.inject({ traceId: '0'.repeat(32), spanId: SID, traceFlags: 1 }, carrier);
    jaeger.inject({ traceId: TID, spanId: 'nope', traceFlags: 1 }, carrier);
    expect(carrier).toEqual({});
  });
});

describe('jaeger uberctx- baggage', () => {
  it('extracts and decodes', () => {
    expect(extractJaegerBaggage({ 'UberCtx-User': 'Am%C3%A9lie', 'uberctx-': 'x', other: '1' })).toEqual([{ key: 'user', value: 'Amélie' }]);
  });

  it('injects encoded values and skips invalid keys', () => {
    const carrier: Record<string, string> = {};
    injectJaegerBaggage([{ key: 'user', value: 'a b,c' }, { key: 'bad key', value: 'x' }, { key: 's', value: '\ud800' }], carrier);
    expect(carrier).toEqual({ 'uberctx-user': 'a%20b%2Cc', 'uberctx-s': '%EF%BF%BD' });
    expect(extractJaegerBaggage(carrier)).toEqual([{ key: 'user', value: 'a b,c' }, { key: 's', value: '\ufffd' }]);
  });

  it('keeps a value that is not valid URL encoding as sent', () => {
    expect(extractJaegerBaggage({ 'uberctx-k': '100%' })).toEqual([{ key: 'k', value: '100%' }]);
  });

  it('encodes surrogate pairs as UTF-8 and only lone surrogates as U+FFFD', () => {
    const carrier: Record<string, string> = {};
    injectJaegerBaggage([{ key: 'e', value: 'a😀b' }, { key: 'l', value: 'x\udc00\ud800y' }], carrier);
    expect(carrier).toEqual({ 'uberctx-e': 'a%F0%9F%98%80b', 'uberctx-l': 'x%EF%BF%BD%EF%BF%BDy' });
  });

  it('skips entries that are not objects with a string value, without throwing', () => {
    const carrier: Record<string, string> = {};
    injectJaegerBaggage([null as never, { key: 'n', value: 42 as unknown as string }, { key: 'ok', value: 'v' }], carrier);
    expect(carrier).toEqual({ 'uberctx-ok': 'v' });
  });
});
