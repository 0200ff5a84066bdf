import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionTracker } from '../../../src/sdk/session';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  (globalThis as { localStorage?: unknown }).localStorage = storage;
});
afterEach(() => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
});

describe('session.id', () => {
  it('survives a reload (a new tracker reading the same storage)', () => {
    const t0 = 1_000_000;
    const id = new SessionTracker().current(t0);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new SessionTracker().current(t0 + 1000)).toBe(id);
  });

  it('rotates after inactivity', () => {
    const t = new SessionTracker({ inactivityMs: 1000 });
    const a = t.current(0);
    expect(t.current(900)).toBe(a);
    expect(t.current(1800)).toBe(a); // activity at 900 extended it
    expect(t.current(3000)).not.toBe(a);
  });

  it('rotates after the maximum age even when active', () => {
    const t = new SessionTracker({ inactivityMs: 1000, maxAgeMs: 2500 });
    const a = t.current(0);
    expect(t.current(800)).toBe(a);
    expect(t.current(1600)).toBe(a);
    expect(t.current(2400)).toBe(a);
    expect(t.current(3200)).not.toBe(a);
  });

  it('works in memory when storage throws', () => {
    (globalThis as { localStorage?: unknown }).localStorage = {
      getItem() {
        throw new Error('denied');
      },
      setItem() {
        throw new Error('denied');
      },
    };
    const t = new SessionTracker();
    const a = t.current(0);
    expect(t.current(10)).toBe(a);
  });
});
