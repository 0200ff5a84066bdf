import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameScheduler } from '../../../../src/viewer/render/scheduler';

describe('FrameScheduler', () => {
  let queued: Array<(t: number) => void> = [];
  beforeEach(() => {
    queued = [];
    vi.stubGlobal('requestAnimationFrame', (cb: (t: number) => void) => queued.push(cb));
    vi.stubGlobal('cancelAnimationFrame', () => undefined);
  });
  afterEach(() => vi.unstubAllGlobals());
  const frame = (): void => {
    const q = queued;
    queued = [];
    for (const cb of q) cb(0);
  };

  it('a painter that ran early is not run again by the frame it had requested, and counts once', () => {
    const s = new FrameScheduler();
    const paint = vi.fn();
    const slot = s.register(paint);
    s.request(slot);
    s.ranEarly(slot);
    expect(s.frames).toBe(1);
    frame();
    expect(paint).not.toHaveBeenCalled();
    expect(s.frames).toBe(1);
  });

  it('ranEarly without a pending request changes nothing', () => {
    const s = new FrameScheduler();
    const paint = vi.fn();
    const slot = s.register(paint);
    s.ranEarly(slot);
    expect(s.frames).toBe(0);
    s.request(slot);
    frame();
    expect(paint).toHaveBeenCalledTimes(1);
    expect(s.frames).toBe(1);
  });
});
