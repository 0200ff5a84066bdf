/**
 * Load-timeline marks for profiling, off unless the page sets `globalThis.spanbeamTiming = true`
 * before loading: `performance.mark('spanbeam:<phase>')` on the page, and the Worker's phases
 * (which live in its own timeline) copied onto the page's when an import ends.
 */
export type WorkerMarks = Array<[name: string, epochMs: number]>;

export function timingOn(): boolean {
  return (globalThis as { spanbeamTiming?: unknown }).spanbeamTiming === true;
}

export function mark(name: string): void {
  if (timingOn()) performance.mark(`spanbeam:${name}`);
}

/** Re-creates marks taken in another thread (epoch ms) on this thread's timeline. */
export function replayMarks(marks: WorkerMarks | undefined): void {
  if (!marks || !timingOn()) return;
  for (const [name, epoch] of marks) performance.mark(`spanbeam:worker:${name}`, { startTime: epoch - performance.timeOrigin });
}
