import { describe, expect, it } from 'vitest';
import { WORKER_NAME, bootName, parseBootName } from '../../../src/viewer/import/protocol';

describe('worker boot name', () => {
  it('round-trips a URL import through the worker name', () => {
    const r = { url: 'http://127.0.0.1:8080/traces/a b.json?x="1"&y=é', partial: true, timing: false };
    const name = bootName(r);
    expect(name.startsWith(`${WORKER_NAME} `)).toBe(true);
    expect(parseBootName(name)).toEqual(r);
  });
  it('reads a plain or foreign name as no request', () => {
    expect(parseBootName(WORKER_NAME)).toBeNull();
    expect(parseBootName('')).toBeNull();
    expect(parseBootName('my-worker {"url":"x"}')).toBeNull();
    expect(parseBootName(`${WORKER_NAME} {not json`)).toBeNull();
    expect(parseBootName(`${WORKER_NAME} {"partial":true}`)).toBeNull();
  });
  it('takes only booleans as flags', () => {
    expect(parseBootName(`${WORKER_NAME} {"url":"u","partial":"yes","timing":1}`)).toEqual({ url: 'u', partial: false, timing: false });
    expect(parseBootName(`${WORKER_NAME} {"url":"u","noSkew":"yes"}`)).toEqual({ url: 'u', partial: false, timing: false });
  });
  it('carries skew="off" (no clock-skew adjustment) to a booted import', () => {
    const r = { url: 'http://x/t.json', partial: false, timing: false, noSkew: true as const };
    expect(parseBootName(bootName(r))).toEqual(r);
  });
});
