import { describe, expect, it } from 'vitest';
import { newBatchId, overBytes, type Batch } from '../../../src/export/outbox';

const batch = (id: string, z: number): Batch => ({ id, k: 'otlp x', t: 1, n: 1, b: '', z });

describe('overBytes', () => {
  const list = [batch('a', 10), batch('b', 10), batch('c', 10)]; // oldest first

  it('keeps the newest batches that fit, up to exactly maxBytes, and returns the older rest', () => {
    expect(overBytes(list, 30)).toEqual([]);
    expect(overBytes(list, 29).map((b) => b.id)).toEqual(['a']);
    expect(overBytes(list, 20).map((b) => b.id)).toEqual(['a']);
    expect(overBytes(list, 19).map((b) => b.id)).toEqual(['a', 'b']);
    expect(overBytes(list, 9).map((b) => b.id)).toEqual(['a', 'b', 'c']);
    expect(overBytes([], 0)).toEqual([]);
  });
});

describe('newBatchId', () => {
  it('sorts as the creation times do, also across base-36 digit counts', () => {
    const times = [0, 35, 36, 1_000_000_000_000, 36 ** 8 - 1, 36 ** 8];
    const ids = times.map((t) => newBatchId(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs between batches created in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newBatchId(1_000)));
    expect(ids.size).toBe(100);
  });
});
