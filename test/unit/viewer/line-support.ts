// What the line-importer tests (perf script, systrace) share.
import { nameOf } from '../../../src/viewer/model/query';
import type { TraceModel } from '../../../src/viewer/model/trace-model';

/** Feeds `bytes` to an importer in `size`-byte chunks (lines cut anywhere) and finishes it. */
export function importChunked(i: { push(c: Uint8Array): void; finish(): TraceModel }, bytes: Uint8Array, size: number): TraceModel {
  for (let p = 0; p < bytes.length; p += size) i.push(bytes.slice(p, p + size));
  return i.finish();
}

/** Per track `group label / track name: name@start+dur` lines, indented by depth, in start order. */
export function brief(m: TraceModel): string[] {
  const out: Array<[number, number, string]> = [];
  for (let i = 0; i < m.slices.count; i++) {
    const t = m.tracks[m.slices.track[i]];
    const g = m.groups[t.group];
    out.push([m.slices.startNs[i], m.slices.depth[i], `${g.name} ${g.key} / ${t.name}: ${'  '.repeat(m.slices.depth[i])}${nameOf(m, i)}@${m.slices.startNs[i]}+${m.slices.durNs[i]}`]);
  }
  return out.sort((a, b) => a[2].split(':')[0].localeCompare(b[2].split(':')[0]) || a[0] - b[0] || a[1] - b[1]).map((r) => r[2]);
}
