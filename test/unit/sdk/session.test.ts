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

describe('session.id shared by tabs (one localStorage)', () => {
  it('a tab idle longer than the inactivity period keeps the session another tab kept alive', () => {
    const minute = 60_000;
    const a = new SessionTracker();
    const b = new SessionTracker();
    const id = a.current(0);
    expect(b.current(1000)).toBe(id);
    for (let t = 5 * minute; t <= 30 * minute; t += 5 * minute) expect(b.current(t)).toBe(id);
    expect(a.current(31 * minute)).toBe(id);
    expect(b.current(32 * minute)).toBe(id);
  });

  it('a tab follows a rotation made by another tab', () => {
    const a = new SessionTracker({ inactivityMs: 10_000, maxAgeMs: 60_000 });
    const b = new SessionTracker({ inactivityMs: 10_000, maxAgeMs: 60_000 });
    const first = a.current(0);
    expect(b.current(0)).toBe(first);
    for (let t = 8000; t <= 56_000; t += 8000) {
      a.current(t);
      b.current(t + 1);
    }
    const rotated = a.current(64_000); // past the maximum age
    expect(rotated).not.toBe(first);
    expect(b.current(64_001)).toBe(rotated);
  });
});
