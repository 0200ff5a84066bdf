import { afterEach, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

it('ids are lowercase hex of 32 and 16 digits, from crypto.getRandomValues', async () => {
  const spy = vi.spyOn(crypto, 'getRandomValues');
  const { newSpanId, newTraceId } = await import('../../../src/sdk/ids');
  const t = newTraceId();
  const s = newSpanId();
  expect(t).toMatch(/^[0-9a-f]{32}$/);
  expect(s).toMatch(/^[0-9a-f]{16}$/);
  expect(spy).toHaveBeenCalled();
});

it('encodes the random words big-endian, digit by digit', async () => {
  vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
    const w = a as unknown as Uint32Array;
    for (let i = 0; i < w.length; i++) w[i] = [0x0123abcd, 0xdeadbeef, 0x00000001, 0xf0000000][i % 4];
    return a;
  });
  const { newSpanId, newTraceId } = await import('../../../src/sdk/ids');
  expect(newTraceId()).toBe('0123abcddeadbeef00000001f0000000');
  expect(newSpanId()).toBe('0123abcddeadbeef');
});

it('never returns an all-zero id, even when the random source gives zeros', async () => {
  let calls = 0;
  vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
    const w = a as unknown as Uint32Array;
    // The first block is all zeros; later blocks are not.
    w.fill(calls++ === 0 ? 0 : 7);
    return a;
  });
  const { newSpanId } = await import('../../../src/sdk/ids');
  for (let i = 0; i < 600; i++) expect(newSpanId()).not.toBe('0000000000000000');
  expect(newSpanId()).toBe('0000000700000007');
});
