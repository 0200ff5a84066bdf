/**
 * Sampled stacks → slices: consecutive samples sharing a frame become one slice, nested by frame
 * depth (the way a flame chart of a CPU profile is drawn). Used for Chrome `P` events with
 * `stackFrames` and for V8 `Profile`/`ProfileChunk` events.
 */
import type { TraceBuilder } from '../model/builder';

export interface Frame {
  name: string;
  parent?: string;
  category?: string;
  url?: string;
}

/**
 * Adds one track's samples (sorted here) as nested slices. Samples naming frames that are not in
 * `frames` (or whose parent chain breaks) lose their stack from there on, and are reported.
 */
export function addSampledStacks(
  builder: TraceBuilder,
  track: number,
  frames: ReadonlyMap<string, Frame>,
  samples: ReadonlyArray<{ tNs: number; frame: string | undefined }>,
  ignore: ReadonlySet<string> = new Set(),
): void {
  const sorted = samples.slice().sort((a, b) => a.tNs - b.tNs);
  const pathCache = new Map<string, string[]>();
  /** Leaf → the first frame id of its chain that is missing. */
  const brokenAt = new Map<string, string>();
  let lost = 0;
  let firstLost = '';
  const pathOf = (leaf: string | undefined): string[] => {
    if (leaf === undefined) return [];
    let p = pathCache.get(leaf);
    if (p) return p;
    p = [];
    const seen = new Set<string>();
    let cur: string | undefined = leaf;
    while (cur !== undefined && !seen.has(cur)) {
      seen.add(cur);
      const f = frames.get(cur);
      if (!f) {
        brokenAt.set(leaf, cur);
        break;
      }
      if (!ignore.has(f.name)) p.push(cur);
      cur = f.parent;
    }
    p.reverse();
    pathCache.set(leaf, p);
    return p;
  };
  const open: Array<{ frame: string; slice: number }> = [];
  const closeTo = (k: number, tNs: number): void => {
    while (open.length > k) {
      const o = open.pop()!;
      builder.setSliceDur(o.slice, Math.max(0, tNs - builder.sliceStart(o.slice)));
    }
  };
  let lastT = 0;
  for (const s of sorted) {
    const path = pathOf(s.frame);
    const missing = s.frame === undefined ? undefined : brokenAt.get(s.frame);
    if (missing !== undefined && lost++ === 0) firstLost = missing;
    let k = 0;
    while (k < open.length && k < path.length && open[k].frame === path[k]) k++;
    closeTo(k, s.tNs);
    for (let d = k; d < path.length; d++) {
      const f = frames.get(path[d])!;
      const details = f.url ? builder.addDetails({ args: { url: f.url } }) : -1;
      const slice = builder.addSlice(track, s.tNs, 0, builder.intern(f.name || '(anonymous)'), builder.intern(f.category ?? ''), 0, details);
      if (d > 0) builder.setParent(slice, open[d - 1].slice);
      open.push({ frame: path[d], slice });
    }
    lastT = s.tNs;
  }
  closeTo(0, lastT);
  if (lost) builder.diag('unknown-frame', `samples name stack frame "${firstLost}", which is not in the trace: their stacks are lost or cut there`, lost);
}
