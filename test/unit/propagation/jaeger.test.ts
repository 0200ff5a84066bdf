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
  });

  it('maps debug to sampled and ignores other bits', () => {
    expect(parseJaegerHeader(`${TID}:${SID}:0:2`)?.traceFlags).toBe(1);
    expect(parseJaegerHeader(`${TID}:${SID}:0:3`)?.traceFlags).toBe(1);
    expect(parseJaegerHeader(`${TID}:${SID}:0:8`)?.traceFlags).toBe(0);
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
    ['bad flags', `${TID}:${SID}:0:x`],
    ['flags too long', `${TID}:${SID}:0:001`],
    ['empty flags', `${TID}:${SID}:0:`],
    ['bad parent', `${TID}:${SID}:zz:1`],
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
});
