import { describe, expect, it } from 'vitest';
import { ORIGINAL, later, patch, unwrapped } from '../../../../src/sdk/instrument/wrap';

describe('patch', () => {
  it('marks the wrapper, keeps name/length/this/return, and restores own properties', () => {
    const obj = { n: 2, f(a: number, b: number) { return this.n * (a + b); } };
    const orig = obj.f;
    const undo = patch(obj, 'f', (o) => function (this: typeof obj, a: number, b: number) { return o.call(this, a, b) + 1; });
    expect(obj.f(1, 2)).toBe(7);
    expect(obj.f.name).toBe('f');
    expect(obj.f.length).toBe(2);
    expect((obj.f as unknown as Record<string, unknown>)[ORIGINAL]).toBe(orig);
    expect(Object.keys(obj.f)).toEqual([]);
    expect(unwrapped(obj.f)).toBe(orig);
    undo();
    expect(obj.f).toBe(orig);
  });
  it('restores an inherited method: undo leaves no own property and the original behaviour', () => {
    class A { m() { return 1; } }
    const a = new A();
    const undo = patch(a, 'm', (o) => function (this: A) { return o.call(this) + 1; });
    expect(a.m()).toBe(2);
    undo();
    expect(Object.prototype.hasOwnProperty.call(a, 'm')).toBe(false);
    expect(a.m()).toBe(1);
  });
  it('wraps an inherited method where it lives: no own property on the object, before or after undo', () => {
    // As `history.pushState` is History.prototype's (enumerable, as WebIDL operations are).
    class A { m() { return 1; } }
    const m = A.prototype.m;
    Object.defineProperty(A.prototype, 'm', { enumerable: true });
    const a = new A();
    const keys = () => { const k: string[] = []; for (const x in a) k.push(x); return [Object.keys(a), Object.getOwnPropertyNames(a), k]; };
    const undo = patch(a, 'm', (o) => function (this: A) { return o.call(this) + 1; });
    expect(a.m()).toBe(2);
    // Before, the wrapper was an enumerable own property: `Object.keys(history)` listed pushState.
    expect(keys()).toEqual([[], [], ['m']]);
    expect(Object.getOwnPropertyDescriptor(A.prototype, 'm')).toMatchObject({ enumerable: true, writable: true, configurable: true });
    undo();
    expect(keys()).toEqual([[], [], ['m']]);
    expect(A.prototype.m).toBe(m);
    // An own wrapper someone put on the object first (a tag manager's over history.pushState) is wrapped in place.
    const b = new A();
    const theirs = () => 7;
    b.m = theirs;
    const off = patch(b, 'm', (o) => function (this: A) { return o.call(this) + 1; });
    expect([b.m(), new A().m()]).toEqual([8, 1]);
    off();
    expect(b.m).toBe(theirs);
  });
  it('leaves a later wrapper in place and turns ours into a pass-through', () => {
    const obj = { f: () => 1 };
    const undo = patch(obj, 'f', () => () => 100);
    const ours = obj.f;
    obj.f = () => ours() + 1;
    undo();
    expect(obj.f()).toBe(2);
  });
  it('errors thrown by the original propagate unchanged', () => {
    const err = new Error('x');
    const obj = { f: () => { throw err; } };
    patch(obj, 'f', (o) => function () { return o(); });
    expect(() => obj.f()).toThrow(err);
  });
});

describe('later', () => {
  it('waits for a delay past 2^31 - 1 ms (timeoutMs: Infinity) instead of running at once', async () => {
    let ran = 0;
    const timers = [later(() => ran++, Infinity), later(() => ran++, 2 ** 31)];
    await new Promise((ok) => setTimeout(ok, 30));
    for (const t of timers) clearTimeout(t);
    expect(ran).toBe(0);
  });
});
