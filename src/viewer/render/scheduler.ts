/**
 * One requestAnimationFrame loop for the whole viewer: callers mark what is stale and the frame
 * runs each registered painter once, however many requests came in. DOM re-rendering stays with
 * Lit's own microtask batching; this is only for canvases and per-frame animation (held keys).
 */
export type FrameCallback = (nowMs: number) => void;

export class FrameScheduler {
  private handle = 0;
  private readonly callbacks: FrameCallback[] = [];
  private readonly pending: boolean[] = [];
  /** Frames actually painted (for tests and the benchmark). */
  frames = 0;

  /** Registers a painter; returns its slot for `request`. */
  register(cb: FrameCallback): number {
    this.callbacks.push(cb);
    this.pending.push(false);
    return this.callbacks.length - 1;
  }

  request(slot: number): void {
    this.pending[slot] = true;
    if (this.handle === 0) this.handle = requestAnimationFrame(this.run);
  }

  /** Its painter just ran outside a frame: drops the pending request, counting it as delivered. */
  ranEarly(slot: number): void {
    if (!this.pending[slot]) return;
    this.pending[slot] = false;
    this.frames++;
  }

  /** Runs pending painters now (e.g. right after a resize, to avoid a blank frame). */
  flush(): void {
    if (this.handle !== 0) cancelAnimationFrame(this.handle);
    this.run(performance.now());
  }

  cancel(): void {
    if (this.handle !== 0) cancelAnimationFrame(this.handle);
    this.handle = 0;
  }

  private readonly run = (now: number): void => {
    this.handle = 0;
    let ran = false;
    for (let i = 0; i < this.callbacks.length; i++) {
      if (!this.pending[i]) continue;
      this.pending[i] = false;
      this.callbacks[i](now);
      ran = true;
    }
    if (ran) this.frames++;
  };
}
