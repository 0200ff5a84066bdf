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

/** Fills whatever getRandomValues is given with the bytes 01 23 ab cd de ad be ef 00 00 00 01 f0 00 00 00, repeated. */
function mockBytes(): void {
  const pattern = [0x01, 0x23, 0xab, 0xcd, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 0xf0, 0, 0, 0];
  vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
    const b = new Uint8Array(a!.buffer, a!.byteOffset, a!.byteLength);
    for (let i = 0; i < b.length; i++) b[i] = pattern[i % 16];
    return a;
  });
}

it('encodes the random bytes in order, two digits each', async () => {
  mockBytes();
  const { newSpanId, newTraceId } = await import('../../../src/sdk/ids');
  expect(newTraceId()).toBe('0123abcddeadbeef00000001f0000000');
  expect(newSpanId()).toBe('0123abcddeadbeef');
  expect(newTraceId()).toBe('00000001f00000000123abcddeadbeef');
});

it('encodes the same with Uint8Array#toHex, where the browser has it', async () => {
  const proto = Uint8Array.prototype as Uint8Array & { toHex?: () => string };
  const had = Object.getOwnPropertyDescriptor(proto, 'toHex');
  const toHex = vi.fn(function (this: Uint8Array) {
    return Array.from(this, (b) => b.toString(16).padStart(2, '0')).join('');
  });
  Object.defineProperty(proto, 'toHex', { value: toHex, configurable: true, writable: true });
  try {
    mockBytes();
    const { newSpanId, newTraceId } = await import('../../../src/sdk/ids');
    expect(newTraceId()).toBe('0123abcddeadbeef00000001f0000000');
    expect(newSpanId()).toBe('0123abcddeadbeef');
    expect(toHex).toHaveBeenCalledTimes(1);
  } finally {
    if (had) Object.defineProperty(proto, 'toHex', had);
    else delete proto.toHex;
  }
});

it('never returns an all-zero id, even when the random source gives zeros', async () => {
  let calls = 0;
  vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
    const w = a as unknown as Uint32Array;
    // The first block is all zeros; later blocks are not.
    w.fill(calls++ === 0 ? 0 : 0x07070707);
    return a;
  });
  const { newSpanId } = await import('../../../src/sdk/ids');
  for (let i = 0; i < 600; i++) expect(newSpanId()).not.toBe('0000000000000000');
  expect(newSpanId()).toBe('0707070707070707');
});
