import { afterEach, describe, expect, it } from 'vitest';
import { lsOutbox, type Batch } from '../../../src/export/outbox';
import { FakeStorage } from './fake-storage';

const g = globalThis as { localStorage?: unknown };
afterEach(() => delete g.localStorage);

const batch = (id: string, chars: number): Batch => ({ id, k: 'otlp x', t: 1, n: 1, b: 'x'.repeat(chars), z: chars });

describe('localStorage outbox', () => {
  it('keeps batches oldest first under their own keys and leaves the app’s keys alone', async () => {
    const s = (g.localStorage = new FakeStorage());
    s.setItem('app-token', 'keep me');
    const box = lsOutbox();
    await box._put([batch('0002', 10), batch('0001', 10)]);
    expect((await box._all('otlp x')).map((b) => b.id)).toEqual(['0001', '0002']);
    await box._del(['0001']);
    expect((await box._all('otlp x')).map((b) => b.id)).toEqual(['0002']);
    expect(s.getItem('app-token')).toBe('keep me');
  });

  it('takes at most 256 KiB of the origin’s localStorage (the app needs the rest), and says so', async () => {
    const s = (g.localStorage = new FakeStorage());
    const box = lsOutbox();
    await box._put([batch('0001', 100_000), batch('0002', 100_000)]);
    await expect(box._put([batch('0003', 100_000)])).rejects.toMatchObject({ name: 'QuotaExceededError' });
    // Rewriting a batch it holds is not counted twice.
    await box._put([batch('0002', 100_000)]);
    const used = Object.keys(s).reduce((n, k) => n + String(s.getItem(k)).length, 0);
    expect(used).toBeLessThanOrEqual(256 * 1024);
    expect((await box._all('otlp x')).map((b) => b.id)).toEqual(['0001', '0002']);
  });

  it('stores all of a put or none, as an IndexedDB transaction: the exporter then keeps them all in memory', async () => {
    g.localStorage = new FakeStorage();
    const box = lsOutbox();
    await box._put([batch('0001', 100_000)]);
    // 0002 fits, 0003 does not: both go elsewhere, so a copy of 0002 left here would be sent twice.
    await expect(box._put([batch('0002', 100_000), batch('0003', 100_000)])).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect((await box._all()).map((b) => b.id)).toEqual(['0001']);
  });

  it('fills its 256 KiB share exactly, not a character more', () => {
    // What a batch takes when stored, so the test can aim at the limit.
    const stored = (b: Batch) => {
      const probe = (g.localStorage = new FakeStorage());
      lsOutbox()._park([b]);
      return String(probe.getItem(Object.keys(probe)[0])).length;
    };
    const first = stored(batch('0001', 1000));
    const target = 256 * 1024 - first;
    let chars = target - stored(batch('0002', 0));
    chars -= String(chars).length - 1; // `z` grows by as many digits
    expect(stored(batch('0002', chars))).toBe(target);
    for (const extra of [0, 1]) {
      const s = (g.localStorage = new FakeStorage());
      const box = lsOutbox();
      expect(box._park([batch('0001', 1000)])).toEqual([]);
      expect(box._park([batch('0002', chars + extra)]).length, `${extra} over`).toBe(extra);
      expect(Object.keys(s).reduce((n, k) => n + String(s.getItem(k)).length, 0)).toBe(extra ? first : 256 * 1024);
    }
  });

  it('parks synchronously what fits and hands back the rest (share used up, or localStorage full)', () => {
    const s = (g.localStorage = new FakeStorage());
    const box = lsOutbox();
    const left = box._park([batch('0001', 100_000), batch('0002', 100_000), batch('0003', 100_000), batch('0004', 10)]);
    expect(left.map((b) => b.id)).toEqual(['0003']); // the small one after it still fits
    expect(Object.keys(s).sort()).toEqual(['spanbeam-outbox 0001', 'spanbeam-outbox 0002', 'spanbeam-outbox 0004']);
    s.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    expect(box._park([batch('0005', 10)]).map((b) => b.id)).toEqual(['0005']);
  });
});
