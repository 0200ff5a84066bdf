import { describe, expect, it } from 'vitest';
import {
  formatTraceparent,
  isValidSpanId,
  isValidTraceId,
  parseTraceparent,
  TRACE_FLAG_RANDOM,
  TRACE_FLAG_SAMPLED,
  TRACEPARENT_LENGTH,
} from '../../../src/propagation/index';

const TID = '12345678901234567890123456789012';
const SID = '1234567890123456';
const valid = `00-${TID}-${SID}-01`;

describe('parseTraceparent (version 00)', () => {
  it('parses the spec examples', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.traceFlags).toBe(0);
  });

  it('keeps the sampled and random flags and clears reserved bits', () => {
    expect(parseTraceparent(`00-${TID}-${SID}-02`)?.traceFlags).toBe(TRACE_FLAG_RANDOM);
    expect(parseTraceparent(`00-${TID}-${SID}-03`)?.traceFlags).toBe(TRACE_FLAG_RANDOM | TRACE_FLAG_SAMPLED);
    expect(parseTraceparent(`00-${TID}-${SID}-ff`)?.traceFlags).toBe(3);
    expect(parseTraceparent(`00-${TID}-${SID}-04`)?.traceFlags).toBe(0);
    expect(parseTraceparent(`00-${TID}-${SID}-09`)?.traceFlags).toBe(1);
  });

  // "All bytes as zero ... is considered an invalid value": only all of them; one non-zero byte is enough.
  it('accepts ids that are zero but for their last digit', () => {
    expect(parseTraceparent(`00-${'0'.repeat(31)}1-${SID}-01`)?.traceId).toBe('0'.repeat(31) + '1');
    expect(parseTraceparent(`00-${TID}-${'0'.repeat(15)}1-01`)?.spanId).toBe('0'.repeat(15) + '1');
  });

  it('tolerates surrounding spaces and tabs (OWS)', () => {
    for (const v of [` ${valid}`, `\t${valid}`, `${valid} `, `${valid}\t`, `\t ${valid} \t`]) {
      expect(parseTraceparent(v)?.traceId).toBe(TID);
    }
  });

  it.each([
    ['trailing character', `${valid}.`],
    ['trailing future fields on version 00', `${valid}-what-the-future-will-be-like`],
    ['version ff', `ff-${TID}-${SID}-01`],
    ['illegal version characters', `.0-${TID}-${SID}-01`],
    ['illegal version characters 2', `0.-${TID}-${SID}-01`],
    ['uppercase version', `0A-${TID}-${SID}-01`],
    ['version too long', `000-${TID}-${SID}-01`],
    ['version too long 2', `0000-${TID}-${SID}-01`],
    ['version too short', `0-${TID}-${SID}-01`],
    ['all-zero trace id', `00-00000000000000000000000000000000-${SID}-01`],
    ['trace id illegal first char', `00-.2345678901234567890123456789012-${SID}-01`],
    ['trace id illegal last char', `00-1234567890123456789012345678901.-${SID}-01`],
    ['trace id too long', `00-123456789012345678901234567890123-${SID}-01`],
    ['trace id too short', `00-1234567890123456789012345678901-${SID}-01`],
    ['uppercase trace id', `00-4BF92F3577B34DA6A3CE929D0E0E4736-${SID}-01`],
    ['all-zero parent id', `00-${TID}-0000000000000000-01`],
    ['parent id illegal first char', `00-${TID}-.234567890123456-01`],
    ['parent id illegal last char', `00-${TID}-123456789012345.-01`],
    ['parent id too long', `00-${TID}-12345678901234567-01`],
    ['parent id too short', `00-${TID}-123456789012345-01`],
    ['uppercase parent id', `00-${TID}-00F067AA0BA902B7-01`],
    ['flags illegal first char', `00-${TID}-${SID}-.0`],
    ['flags illegal second char', `00-${TID}-${SID}-0.`],
    ['uppercase flags', `00-${TID}-${SID}-0A`],
    ['flags too long', `00-${TID}-${SID}-001`],
    ['flags too short', `00-${TID}-${SID}-1`],
    ['wrong delimiter', `00_${TID}_${SID}_01`],
    ['two headers combined', `${valid}, 00-${TID.replace('1', '9')}-${SID}-01`],
    ['empty', ''],
    ['inner whitespace', `00- ${TID}-${SID}-01`],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('rejects non-strings', () => {
    expect(parseTraceparent(undefined)).toBeUndefined();
    expect(parseTraceparent(null)).toBeUndefined();
    expect(parseTraceparent(42 as unknown as string)).toBeUndefined();
  });
});

describe('parseTraceparent (future versions)', () => {
  it('accepts a higher version with exactly four fields', () => {
    expect(parseTraceparent(`cc-${TID}-${SID}-01`)).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
  });

  it('accepts extra fields after a dash and ignores them', () => {
    const ctx = parseTraceparent(`cc-${TID}-${SID}-01-what-the-future-will-be-like`);
    expect(ctx).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
    expect(parseTraceparent(`01-${TID}-${SID}-03-x`)?.traceFlags).toBe(3);
  });

  // "Vendors MUST check that the 2 characters are either at the end of the string or followed by a dash."
  it('accepts a higher version whose flags are followed by a lone dash', () => {
    expect(parseTraceparent(`cc-${TID}-${SID}-01-`)).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
  });

  it('rejects a higher version whose flags are not followed by a dash', () => {
    expect(parseTraceparent(`cc-${TID}-${SID}-01.what-the-future-will-be-like`)).toBeUndefined();
    expect(parseTraceparent(`cc-${TID}-${SID}-012`)).toBeUndefined();
  });

  it('still validates the known fields of a higher version', () => {
    expect(parseTraceparent(`cc-00000000000000000000000000000000-${SID}-01-x`)).toBeUndefined();
    expect(parseTraceparent(`cc-${TID}-0000000000000000-01-x`)).toBeUndefined();
    expect(parseTraceparent(`cc-${TID.toUpperCase().replace(/1/g, 'A')}-${SID}-01`)).toBeUndefined();
    expect(parseTraceparent(`cc-${TID}-${SID}`)).toBeUndefined(); // shorter than 55
    expect(parseTraceparent(`fe-${TID}-${SID}-01`)?.traceId).toBe(TID);
    expect(parseTraceparent(`ff-${TID}-${SID}-01-x`)).toBeUndefined();
  });

  // A request header is attacker-controlled and parsed on every request: a long run of spaces
  // after the extra-field dash, then a character the end can't match (a comma, as two headers
  // joined), must not take time quadratic in its length (it blocked Node's event loop ~2 s at 64 KB).
  it('rejects a long whitespace-padded extra field in linear time', () => {
    for (const tail of [' '.repeat(65536) + ',', ' \t'.repeat(32768) + 'x,', ' a'.repeat(32768) + ' ,']) {
      const t0 = performance.now();
      expect(parseTraceparent(`cc-${TID}-${SID}-01-${tail}`)).toBeUndefined();
      expect(performance.now() - t0).toBeLessThan(500);
    }
    expect(parseTraceparent(`cc-${TID}-${SID}-01-${' '.repeat(65536)}`)?.traceId).toBe(TID);
    expect(parseTraceparent(`cc-${TID}-${SID}-01- a b \t`)?.traceId).toBe(TID);
  });
});

describe('formatTraceparent', () => {
  it('writes version 00 with two-digit flags', () => {
    expect(formatTraceparent({ traceId: TID, spanId: SID, traceFlags: 1 })).toBe(valid);
    expect(formatTraceparent({ traceId: TID, spanId: SID, traceFlags: 0 })).toBe(`00-${TID}-${SID}-00`);
    expect(formatTraceparent({ traceId: TID, spanId: SID, traceFlags: 3 })).toBe(`00-${TID}-${SID}-03`);
    expect(formatTraceparent({ traceId: TID, spanId: SID, traceFlags: TRACE_FLAG_RANDOM })).toBe(`00-${TID}-${SID}-02`);
    expect(formatTraceparent({ traceId: TID, spanId: SID, traceFlags: 1 })).toHaveLength(TRACEPARENT_LENGTH);
    expect(TRACEPARENT_LENGTH).toBe(55);
  });

  it('clears reserved flag bits', () => {
    expect(formatTraceparent({ traceId: TID, spanId: SID, traceFlags: 0xff })).toBe(`00-${TID}-${SID}-03`);
  });

  it('downgrades a future-version context to 00', () => {
    const ctx = parseTraceparent(`cc-${TID}-${SID}-01-future`)!;
    expect(formatTraceparent(ctx)).toBe(valid);
  });

  it('refuses invalid ids', () => {
    expect(formatTraceparent({ traceId: '0'.repeat(32), spanId: SID, traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent({ traceId: TID, spanId: '0'.repeat(16), traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent({ traceId: TID.toUpperCase() + '', spanId: 'ABCDEF0123456789', traceFlags: 1 })).toBeUndefined();
    expect(formatTraceparent({ traceId: TID.slice(1), spanId: SID, traceFlags: 1 })).toBeUndefined();
  });

  it('round-trips', () => {
    const v = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03';
    expect(formatTraceparent(parseTraceparent(v)!)).toBe(v);
  });
});

describe('isValidTraceId / isValidSpanId (HEXDIGLC, not all zero)', () => {
  it('accepts every lowercase hex digit', () => {
    expect(isValidTraceId('0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isValidSpanId('0123456789abcdef')).toBe(true);
  });

  it.each(['/', ':', '`', 'g', 'A'])('rejects %j, also as the last character', (c) => {
    expect(isValidTraceId(c + TID.slice(1))).toBe(false);
    expect(isValidTraceId(TID.slice(0, 31) + c)).toBe(false);
    expect(isValidSpanId(c + SID.slice(1))).toBe(false);
    expect(isValidSpanId(SID.slice(0, 15) + c)).toBe(false);
    expect(formatTraceparent({ traceId: TID.slice(0, 31) + c, spanId: SID, traceFlags: 1 })).toBeUndefined();
  });
});
