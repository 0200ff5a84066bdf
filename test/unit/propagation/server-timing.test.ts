import { describe, expect, it } from 'vitest';
import { parseServerTimingHeader, parseServerTimingTraceparent, parseTraceparent } from '../../../src/propagation/index';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('parseServerTimingTraceparent', () => {
  it('reads the traceparent entry', () => {
    const entries = [
      { name: 'db', description: '' },
      { name: 'traceparent', description: TP },
    ];
    expect(parseServerTimingTraceparent(entries)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
  });

  it('skips invalid entries and takes the first valid one', () => {
    const other = '00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b8-00';
    expect(
      parseServerTimingTraceparent([
        { name: 'traceparent', description: 'garbage' },
        { name: 'TraceParent', description: other },
        { name: 'traceparent', description: TP },
      ])?.spanId,
    ).toBe('00f067aa0ba902b8');
  });

  it('returns undefined when absent or invalid', () => {
    expect(parseServerTimingTraceparent([])).toBeUndefined();
    expect(parseServerTimingTraceparent(undefined)).toBeUndefined();
    expect(parseServerTimingTraceparent([{ name: 'traceparent', description: `ff${TP.slice(2)}` }])).toBeUndefined();
    expect(parseServerTimingTraceparent([{ name: 'other', description: TP }])).toBeUndefined();
  });

  it('skips holes and entries without a string name instead of throwing', () => {
    const entries = [null, { name: 42, description: TP }, { description: TP }, { name: 'traceparent', description: TP }];
    expect(parseServerTimingTraceparent(entries as never)?.spanId).toBe('00f067aa0ba902b7');
  });

  it('accepts iterables and array-likes', () => {
    function* gen() {
      yield { name: 'traceparent', description: TP };
    }
    expect(parseServerTimingTraceparent(gen())?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parseServerTimingTraceparent({ length: 1, 0: { name: 'traceparent', description: TP } })?.spanId).toBe('00f067aa0ba902b7');
  });
});

describe('parseServerTimingHeader', () => {
  it('parses quoted and token descriptions, several metrics and commas inside quotes', () => {
    expect(parseServerTimingHeader(`cache;desc="Cache, Read";dur=23.2, traceparent;desc="${TP}", db;dur=53,app`)).toEqual([
      { name: 'cache', description: 'Cache, Read' },
      { name: 'traceparent', description: TP },
      { name: 'db', description: '' },
      { name: 'app', description: '' },
    ]);
    expect(parseServerTimingHeader(`traceparent;desc=${TP}`)).toEqual([{ name: 'traceparent', description: TP }]);
    expect(parseServerTimingHeader('x;desc="a\\"b"')).toEqual([{ name: 'x', description: 'a"b' }]);
    expect(parseServerTimingHeader('x;desc=first;desc=second')).toEqual([{ name: 'x', description: 'first' }]);
  });

  it('feeds parseServerTimingTraceparent', () => {
    const ctx = parseServerTimingTraceparent(parseServerTimingHeader(`traceparent;desc="${TP}"`));
    expect(ctx).toEqual(parseTraceparent(TP));
  });

  it('survives garbage', () => {
    expect(parseServerTimingHeader('')).toEqual([]);
    expect(parseServerTimingHeader(';;,,=;"')).toEqual([]);
    expect(parseServerTimingHeader('a;desc="unterminated')).toEqual([{ name: 'a', description: 'unterminated' }]);
    expect(parseServerTimingHeader(null)).toEqual([]);
  });
});
